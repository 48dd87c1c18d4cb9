"""A valid roster for the demo county's 义桥镇 (demo-committee's scope), as CSV:
  upload_roster.py OUT ROWS DEMO_DB [START]
ID numbers of region 379901 (no demo member has one); START shifts them, for two rosters
of different people."""
import csv, datetime as dt, sqlite3, sys
W = [7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2]; CHK = "10X98765432"
def idn(region6, birth, seq3):
    body = f"{region6}{birth:%Y%m%d}{seq3:03d}"
    return body + CHK[sum(int(c)*w for c, w in zip(body, W)) % 11]
HEAD = ["姓名","性别","民族","出生日期","公民身份号码","学历","人员类别","入党日期","转正日期","工作岗位","联系电话","所在党组织"]
codes = [r[0] for r in sqlite3.connect(sys.argv[3]).execute("select o.code from org o, org t where t.name='义桥镇党委' and o.kind='Branch' and o.dissolved_on is null and o.path like t.path||'%'")]
n = int(sys.argv[2]); start = int(sys.argv[4]) if len(sys.argv) > 4 else 0
with open(sys.argv[1], "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f); w.writerow(HEAD)
    for k in range(start, start + n):
        day, seq = divmod(k, 900); birth = dt.date(1950,1,1) + dt.timedelta(days=day % 18000)
        seq3 = 100 + seq
        joined = dt.date(birth.year+25, birth.month, min(birth.day, 28))
        g = "男" if seq3 % 2 else "女"
        name = "王李张刘陈杨黄赵周吴"[k % 10] + "伟芳娜英敏静丽强磊军"[k*7 % 10] + "明超兰霞平"[k*13 % 5]
        w.writerow([name, g, "汉族", birth.isoformat(), idn("379901", birth, seq3), "高中", "正式党员", joined.isoformat(), (joined+dt.timedelta(days=366)).isoformat(), "农牧渔民", "13"+f"{k:09d}", codes[k % len(codes)]])
