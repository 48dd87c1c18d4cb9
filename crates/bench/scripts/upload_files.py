"""Worst-case uploads for the server's memory (synthetic; docs/PERFORMANCE.md, "Uploads").

  upload_files.py wsbomb OUT               2 MB .xlsx whose sheet inflates to 2 GiB of spaces
  upload_files.py badrows-xlsx OUT ROWS     a member header, then ROWS rows of 14 wrong cells
  upload_files.py badrows-csv OUT ROWS      the same as CSV
  upload_files.py tiny-csv OUT ROWS COLS    rows of one-letter cells
"""
import csv, io, sys, zipfile, random

CT = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
RELS = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
WB = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
WBR = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
HEAD = ["姓名","性别","民族","出生日期","公民身份号码","学历","人员类别","入党日期","转正日期","工作岗位","联系电话","所在党组织","党内职务","任职日期"]

def col(i):
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26); s = chr(65 + r) + s
    return s

def xlsx(path, rows_iter, shared):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CT); z.writestr("_rels/.rels", RELS)
        z.writestr("xl/workbook.xml", WB); z.writestr("xl/_rels/workbook.xml.rels", WBR)
        sst = ['<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">' % (len(shared), len(shared))]
        sst += ["<si><t>%s</t></si>" % s for s in shared]; sst.append("</sst>")
        z.writestr("xl/sharedStrings.xml", "".join(sst))
        zi = zipfile.ZipInfo("xl/worksheets/sheet1.xml"); zi.compress_type = zipfile.ZIP_DEFLATED
        with z.open(zi, "w", force_zip64=True) as w:
            w.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            buf = []
            for r, cells in enumerate(rows_iter, 1):
                buf.append('<row r="%d">' % r + "".join('<c r="%s%d" t="s"><v>%d</v></c>' % (col(c), r, v) for c, v in enumerate(cells)) + "</row>")
                if len(buf) > 2000:
                    w.write("".join(buf).encode()); buf = []
            w.write("".join(buf).encode())
            w.write(b"</sheetData></worksheet>")

def wsbomb(path, gib=2):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CT); z.writestr("_rels/.rels", RELS)
        z.writestr("xl/workbook.xml", WB); z.writestr("xl/_rels/workbook.xml.rels", WBR)
        z.writestr("xl/sharedStrings.xml", '<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"></sst>')
        zi = zipfile.ZipInfo("xl/worksheets/sheet1.xml"); zi.compress_type = zipfile.ZIP_DEFLATED
        with z.open(zi, "w", force_zip64=True) as w:
            w.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            for _ in range(gib * 1024): w.write(b" " * (1 << 20))
            w.write(b"</sheetData></worksheet>")

kind, out = sys.argv[1], sys.argv[2]
if kind == "wsbomb":
    wsbomb(out)
elif kind == "badrows-xlsx":
    # header + N rows of 14 invalid cells: every row fails in many columns. Shared strings:
    # the header and a pool of distinct junk strings.
    n = int(sys.argv[3]); pool = int(sys.argv[4]) if len(sys.argv) > 4 else 50000
    shared = HEAD + ["坏%06d" % i for i in range(pool)]
    rows = ([i for i in range(14)] if r == 0 else [14 + (r * 14 + c) % pool for c in range(14)] for r in range(n + 1))
    xlsx(out, rows, shared)
elif kind == "badrows-csv":
    n = int(sys.argv[3])
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f); w.writerow(HEAD)
        for r in range(n):
            w.writerow(["x%d" % (r % 97)] + ["y"] * 13)
elif kind == "tiny-csv":
    # as many tiny cells as fit: 1 header + rows of single-char cells
    n = int(sys.argv[3]); cols = int(sys.argv[4])
    with open(out, "w", encoding="utf-8") as f:
        f.write(",".join(HEAD) + "\n")
        line = ",".join(["y"] * cols) + "\n"
        for r in range(n): f.write(line)
