//! Checks an .xlsx's zip container before calamine opens it: the declared and the actual
//! inflated sizes, the longest XML token any part holds (the XML parser buffers one token
//! whole), and the shared-string table's declared and actual size (calamine reserves the
//! declared count up front). Inflating twice costs time, never memory: the check streams
//! every entry through a fixed buffer.

use std::io::{Cursor, Read};

use zip::result::ZipError;
use zip::ZipArchive;

use crate::limits::{human_bytes, ReadLimits};

/// Why a container was refused: `Broken` is a damaged or foreign file, `Limit` a cap.
pub(crate) enum ZipProblem {
    Broken(String),
    Limit(String),
}

pub(crate) fn check(bytes: &[u8], limits: &ReadLimits) -> Result<(), ZipProblem> {
    let mut zip = ZipArchive::new(Cursor::new(bytes)).map_err(|e| broken(&e))?;
    let mut declared: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|e| broken(&e))?;
        declared = declared.saturating_add(entry.size());
        if declared > limits.max_unzipped_bytes {
            return Err(ZipProblem::Limit(format!(
                "压缩包内文件解压后共 {} 以上，超过上限 {}",
                human_bytes(declared),
                human_bytes(limits.max_unzipped_bytes)
            )));
        }
    }
    let mut total: u64 = 0;
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| broken(&e))?;
        if entry.is_dir() {
            continue;
        }
        let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
        let lower = name.to_ascii_lowercase();
        let mut scan = (lower.ends_with(".xml") || lower.ends_with(".rels"))
            .then(|| XmlScan::new(limits, lower.ends_with("sharedstrings.xml")));
        loop {
            let n = match entry.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) => {
                    return Err(ZipProblem::Broken(format!(
                        "压缩包内的 {name} 无法解压（{e}），文件可能不完整或已损坏"
                    )))
                }
            };
            total += n as u64;
            if total > limits.max_unzipped_bytes {
                return Err(ZipProblem::Limit(format!(
                    "压缩包内文件解压后超过上限 {}（解压到 {} 时）",
                    human_bytes(limits.max_unzipped_bytes),
                    name
                )));
            }
            if let Some(scan) = scan.as_mut() {
                scan.feed(&buf[..n])
                    .map_err(|m| ZipProblem::Limit(format!("{name}：{m}")))?;
            }
        }
    }
    Ok(())
}

fn broken(e: &ZipError) -> ZipProblem {
    match e {
        ZipError::UnsupportedArchive(m) if m.contains("ncrypt") || m.contains("assword") => {
            ZipProblem::Broken("工作簿设有密码，请在 Excel 中取消密码后再导入".to_string())
        }
        ZipError::UnsupportedArchive(m) => {
            ZipProblem::Broken(format!("文件使用了不支持的压缩方式（{m}）"))
        }
        _ => ZipProblem::Broken(format!(
            "不是有效的 .xlsx 文件，文件可能不完整或已损坏（{e}）"
        )),
    }
}

#[derive(Clone, Copy, PartialEq)]
enum State {
    Text,
    Tag,
}

/// A streaming look at an XML part: the longest text run and tag, and in the shared-string
/// part the `<si>` count and the `uniqueCount` claim.
struct XmlScan {
    max_token: usize,
    max_strings: usize,
    shared: bool,
    state: State,
    run: usize,
    tag: Vec<u8>,
    quote: Option<u8>,
    strings: usize,
}

impl XmlScan {
    fn new(limits: &ReadLimits, shared: bool) -> XmlScan {
        XmlScan {
            max_token: limits.max_xml_token_bytes(),
            max_strings: limits.max_shared_strings,
            shared,
            state: State::Text,
            run: 0,
            tag: Vec::new(),
            quote: None,
            strings: 0,
        }
    }

    fn too_long(&self) -> String {
        format!(
            "含有超过 {} 的连续文字或标记，不像 Excel 保存的工作簿",
            human_bytes(self.max_token as u64)
        )
    }

    fn feed(&mut self, mut data: &[u8]) -> Result<(), String> {
        while !data.is_empty() {
            match self.state {
                State::Text => match data.iter().position(|&b| b == b'<') {
                    Some(i) => {
                        self.run += i;
                        if self.run > self.max_token {
                            return Err(self.too_long());
                        }
                        self.state = State::Tag;
                        self.tag.clear();
                        self.quote = None;
                        data = &data[i + 1..];
                    }
                    None => {
                        self.run += data.len();
                        if self.run > self.max_token {
                            return Err(self.too_long());
                        }
                        return Ok(());
                    }
                },
                State::Tag => {
                    let b = data[0];
                    data = &data[1..];
                    if b == b'>' && self.quote.is_none() && self.tag_ends() {
                        self.end_tag()?;
                        self.state = State::Text;
                        self.run = 0;
                        continue;
                    }
                    if self.tag.len() >= self.max_token {
                        return Err(self.too_long());
                    }
                    // Quotes matter only inside an element's attributes.
                    if !matches!(self.tag.first(), Some(b'!' | b'?')) || self.tag.is_empty() {
                        match (self.quote, b) {
                            (None, b'"' | b'\'') if !self.tag.is_empty() => self.quote = Some(b),
                            (Some(q), _) if q == b => self.quote = None,
                            _ => {}
                        }
                    }
                    self.tag.push(b);
                }
            }
        }
        Ok(())
    }

    /// Whether a `>` ends the current markup: comments, CDATA and processing instructions
    /// end only at `-->`, `]]>` and `?>`.
    fn tag_ends(&self) -> bool {
        let t = &self.tag;
        if t.starts_with(b"!--") {
            t.len() >= 5 && t.ends_with(b"--")
        } else if t.starts_with(b"![CDATA[") {
            t.ends_with(b"]]")
        } else if t.starts_with(b"?") {
            t.len() >= 2 && t.ends_with(b"?")
        } else {
            true
        }
    }

    fn end_tag(&mut self) -> Result<(), String> {
        let t = &self.tag;
        if t.len() >= 8 && t[..8].eq_ignore_ascii_case(b"!DOCTYPE") {
            return Err("含有 DOCTYPE 声明，不像 Excel 保存的工作簿".to_string());
        }
        if !self.shared || matches!(t.first(), Some(b'/' | b'!' | b'?')) {
            return Ok(());
        }
        let name_end = t
            .iter()
            .position(|b| b.is_ascii_whitespace() || *b == b'/')
            .unwrap_or(t.len());
        let name = &t[..name_end];
        let local = match name.iter().rposition(|&b| b == b':') {
            Some(i) => &name[i + 1..],
            None => name,
        };
        if local == b"si" {
            self.strings += 1;
            if self.strings > self.max_strings {
                return Err(format!("共享字符串超过 {} 个（上限）", self.max_strings));
            }
        } else if local == b"sst" {
            if let Some(n) = attr_number(t, b"uniqueCount") {
                if n > self.max_strings as u128 {
                    return Err(format!(
                        "声明了 {n} 个共享字符串，超过上限 {} 个",
                        self.max_strings
                    ));
                }
            }
        }
        Ok(())
    }
}

/// The largest number any `name="digits"` attribute in `tag` holds (a `+` sign allowed).
fn attr_number(tag: &[u8], name: &[u8]) -> Option<u128> {
    let mut best = None;
    let mut i = 0;
    while let Some(p) = find(&tag[i..], name) {
        let mut j = i + p + name.len();
        i = j;
        while tag.get(j).is_some_and(|b| b.is_ascii_whitespace()) {
            j += 1;
        }
        if tag.get(j) != Some(&b'=') {
            continue;
        }
        j += 1;
        while tag.get(j).is_some_and(|b| b.is_ascii_whitespace()) {
            j += 1;
        }
        let Some(&q) = tag.get(j).filter(|b| matches!(b, b'"' | b'\'')) else {
            continue;
        };
        let start = j + 1;
        let end = start + tag[start..].iter().position(|&b| b == q).unwrap_or(0);
        let value = &tag[start..end];
        let digits = value.strip_prefix(b"+").unwrap_or(value);
        if !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) {
            let n = std::str::from_utf8(digits)
                .ok()
                .and_then(|s| s.parse::<u128>().ok())
                .unwrap_or(u128::MAX);
            best = best.max(Some(n));
        }
    }
    best
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(xml: &[u8], shared: bool, limits: &ReadLimits) -> Result<usize, String> {
        let mut s = XmlScan::new(limits, shared);
        // Feed in small pieces so tokens straddle chunk boundaries.
        for chunk in xml.chunks(3) {
            s.feed(chunk)?;
        }
        Ok(s.strings)
    }

    #[test]
    fn counts_shared_strings_with_prefixes() {
        let l = ReadLimits::DEFAULT;
        let xml = br#"<?xml version="1.0"?><sst uniqueCount="3"><si><t>a</t></si><x:si><t>b&gt;</t></x:si><si/></sst>"#;
        assert_eq!(scan(xml, true, &l), Ok(3));
    }

    #[test]
    fn refuses_a_claimed_count_over_the_cap() {
        let l = ReadLimits {
            max_shared_strings: 10,
            ..ReadLimits::DEFAULT
        };
        let xml = br#"<sst count="1" uniqueCount = '11'><si><t>a</t></si></sst>"#;
        assert!(scan(xml, true, &l).unwrap_err().contains("11"));
        let many: Vec<u8> = [&b"<sst>"[..], &b"<si><t>a</t></si>".repeat(11), b"</sst>"].concat();
        assert!(scan(&many, true, &l).unwrap_err().contains("10"));
    }

    #[test]
    fn refuses_long_runs_even_inside_quotes_and_comments() {
        let l = ReadLimits {
            max_cell_chars: 10,
            ..ReadLimits::DEFAULT
        };
        let max = l.max_xml_token_bytes();
        let spaces = [&b"<a>"[..], &vec![b' '; max + 1], b"</a>"].concat();
        assert!(scan(&spaces, false, &l).is_err());
        let quoted = [&b"<a b=\""[..], &b">".repeat(max + 1), b"\"/>"].concat();
        assert!(scan(&quoted, false, &l).is_err());
        let comment = [&b"<!--"[..], &b"<>".repeat(max), b"-->"].concat();
        assert!(scan(&comment, false, &l).is_err());
        let fine = b"<a b=\"x\">text</a>".repeat(max);
        assert!(scan(&fine, false, &l).is_ok());
    }
}
