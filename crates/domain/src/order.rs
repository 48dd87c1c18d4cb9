//! The order officials list orgs in (党内顺序): those with a division code by the code
//! (乡镇、街道、村、社区 as the 行政区划 lists them), then the rest (机关、系统、企业…)
//! by name; within a name, numbers count as numbers, written either way — 第一、第二、
//! …、第十、第十一党小组, 1号楼党支部 before 2号楼 before 10号楼 — never by code points
//! (第一、第三、第二).

use crate::org::Org;

/// The sort key of an org among its siblings.
pub fn sibling_key(o: &Org) -> (u8, String, String) {
    match &o.region_code {
        Some(r) => (0, r.as_str().to_string(), natural(&o.name)),
        None => (1, String::new(), natural(&o.name)),
    }
}

/// Sorts siblings in the order officials list them.
pub fn sort_siblings<T>(items: &mut [T], org: impl Fn(&T) -> &Org) {
    items.sort_by_cached_key(|x| sibling_key(org(x)));
}

fn digit(c: char) -> Option<u32> {
    Some(match c {
        '零' | '〇' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

/// The value of a run of Chinese numerals up to 九十九 (十一, 二十, 二十三), or `None`.
fn chinese_number(run: &[char]) -> Option<u32> {
    match run {
        [] => None,
        [d] => digit(*d).or((*d == '十').then_some(10)),
        ['十', d] => Some(10 + digit(*d)?),
        [d, '十'] => Some(digit(*d)? * 10),
        [a, '十', b] => Some(digit(*a)? * 10 + digit(*b)?),
        _ => None,
    }
}

/// The name with every number (Arabic, or Chinese numerals up to 九十九) written as six
/// digits, so that text order is number order.
pub fn natural(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 8);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let run: String = chars[start..i].iter().collect();
            out.push_str(&format!("{:0>6}", run.trim_start_matches('0')));
            continue;
        }
        if digit(c).is_some() || c == '十' {
            let start = i;
            while i < chars.len() && (digit(chars[i]).is_some() || chars[i] == '十') {
                i += 1;
            }
            match chinese_number(&chars[start..i]) {
                Some(n) => out.push_str(&format!("{n:06}")),
                None => out.extend(&chars[start..i]),
            }
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(names: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        v.sort_by_key(|n| natural(n));
        v
    }

    #[test]
    fn groups_count_in_order() {
        assert_eq!(
            sorted(&[
                "第一党小组",
                "第三党小组",
                "第十一党小组",
                "第二党小组",
                "第十党小组"
            ]),
            [
                "第一党小组",
                "第二党小组",
                "第三党小组",
                "第十党小组",
                "第十一党小组"
            ]
        );
        assert_eq!(
            sorted(&["10号楼党支部", "2号楼党支部", "1号楼党支部"]),
            ["1号楼党支部", "2号楼党支部", "10号楼党支部"]
        );
        assert_eq!(chinese_number(&['二', '十', '三']), Some(23));
        // Words that merely contain a numeral keep their text.
        assert_eq!(natural("一村党支部"), "000001村党支部");
    }
}
