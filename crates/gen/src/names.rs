//! Word lists for invented people and units. Surnames are weighted roughly by their share
//! in the population; given names are drawn from common characters. No real person.

use crate::rng::Rng;

/// Common surnames with weights (‰ of the population, roughly).
pub(crate) const SURNAMES: [(&str, u32); 100] = [
    ("王", 71),
    ("李", 70),
    ("张", 68),
    ("刘", 54),
    ("陈", 45),
    ("杨", 31),
    ("黄", 22),
    ("赵", 20),
    ("吴", 19),
    ("周", 19),
    ("徐", 13),
    ("孙", 13),
    ("马", 12),
    ("朱", 12),
    ("胡", 11),
    ("郭", 11),
    ("何", 10),
    ("林", 10),
    ("高", 10),
    ("罗", 9),
    ("郑", 8),
    ("梁", 8),
    ("谢", 6),
    ("宋", 6),
    ("唐", 6),
    ("许", 5),
    ("韩", 5),
    ("冯", 5),
    ("邓", 5),
    ("曹", 5),
    ("彭", 5),
    ("曾", 4),
    ("肖", 4),
    ("田", 4),
    ("董", 4),
    ("袁", 4),
    ("潘", 4),
    ("于", 4),
    ("蒋", 4),
    ("蔡", 4),
    ("余", 3),
    ("杜", 3),
    ("叶", 3),
    ("程", 3),
    ("苏", 3),
    ("魏", 3),
    ("吕", 3),
    ("丁", 3),
    ("任", 3),
    ("沈", 3),
    ("姚", 3),
    ("卢", 3),
    ("姜", 3),
    ("崔", 3),
    ("钟", 2),
    ("谭", 2),
    ("陆", 2),
    ("汪", 2),
    ("范", 2),
    ("金", 2),
    ("石", 2),
    ("廖", 2),
    ("贾", 2),
    ("夏", 2),
    ("韦", 2),
    ("付", 2),
    ("方", 2),
    ("白", 2),
    ("邹", 2),
    ("孟", 2),
    ("熊", 2),
    ("秦", 2),
    ("邱", 2),
    ("江", 2),
    ("尹", 2),
    ("薛", 2),
    ("闫", 2),
    ("段", 2),
    ("雷", 2),
    ("侯", 2),
    ("龙", 2),
    ("史", 2),
    ("陶", 1),
    ("黎", 1),
    ("贺", 1),
    ("顾", 1),
    ("毛", 1),
    ("郝", 1),
    ("龚", 1),
    ("邵", 1),
    ("万", 1),
    ("钱", 1),
    ("严", 1),
    ("覃", 1),
    ("武", 1),
    ("戴", 1),
    ("莫", 1),
    ("孔", 1),
    ("向", 1),
    ("汤", 1),
];

const MALE_CHARS: &[&str] = &[
    "伟", "强", "军", "磊", "勇", "杰", "涛", "明", "超", "刚", "平", "辉", "鹏", "华", "建", "国",
    "志", "斌", "波", "宇", "浩", "俊", "峰", "亮", "海", "林", "飞", "彬", "鑫", "晨", "东", "文",
    "德", "成", "立", "新", "春", "福", "庆", "永", "顺", "祥", "兴", "旭", "振", "宏", "洪", "民",
    "保", "金", "山", "学", "光", "军", "忠", "利", "良", "胜", "贵", "安", "松", "家", "云", "生",
    "荣", "军", "凯", "帅", "博", "航", "昊", "轩", "然", "泽",
];

const FEMALE_CHARS: &[&str] = &[
    "芳", "娟", "敏", "静", "丽", "艳", "娜", "秀", "英", "霞", "玲", "燕", "萍", "红", "梅", "莉",
    "婷", "雪", "慧", "琳", "倩", "颖", "洁", "佳", "晶", "莹", "兰", "凤", "桂", "珍", "玉", "翠",
    "云", "月", "欣", "怡", "悦", "彤", "丹", "琴", "蕾", "菲", "茹", "雯", "璐", "晓", "春", "华",
    "荣", "爱", "美", "淑", "素", "文", "君", "萌", "涵", "馨", "梦", "瑶",
];

/// A common first given-name character used for both (晓, 小, 春 …).
const SHARED_CHARS: &[&str] = &[
    "晓", "小", "春", "海", "文", "佳", "子", "思", "雨", "建", "志", "新",
];

/// An invented name: a weighted surname and one or two given-name characters.
pub(crate) fn person(rng: &mut Rng, female: bool) -> String {
    let mut s = String::with_capacity(9);
    let surname = *rng.weighted(&SURNAMES);
    s.push_str(surname);
    let chars = if female { FEMALE_CHARS } else { MALE_CHARS };
    if rng.chance(0.62) {
        if rng.chance(0.15) {
            let c = *rng.pick(SHARED_CHARS);
            s.push_str(c);
        } else {
            let c = *rng.pick(chars);
            s.push_str(c);
        }
    }
    let c = *rng.pick(chars);
    s.push_str(c);
    s
}

/// Ethnic groups with weights (per mille of members).
pub(crate) const ETHNICITIES: [(&str, u32); 13] = [
    ("汉族", 920),
    ("壮族", 13),
    ("回族", 13),
    ("满族", 12),
    ("维吾尔族", 7),
    ("苗族", 6),
    ("彝族", 5),
    ("土家族", 6),
    ("藏族", 4),
    ("蒙古族", 6),
    ("朝鲜族", 2),
    ("侗族", 3),
    ("布依族", 3),
];

/// Two-character trade names (字号) are drawn as pairs from this list.
pub(crate) const TRADE_CHARS: &[&str] = &[
    "鑫", "源", "华", "泰", "恒", "盛", "达", "隆", "兴", "昌", "瑞", "丰", "宏", "福", "利", "康",
    "安", "通", "远", "鸿", "祥", "和", "润", "嘉", "禾", "信", "诚", "德", "宇", "晟", "博", "创",
    "豪", "金", "银", "新", "力", "正", "明", "辉", "腾", "顺", "凯", "帝", "旺",
];

pub(crate) const INDUSTRIES: &[&str] = &[
    "机械制造",
    "纺织",
    "食品",
    "建材",
    "化工",
    "物流",
    "商贸",
    "建筑工程",
    "电子科技",
    "农业科技",
    "汽车销售服务",
    "餐饮管理",
    "新能源科技",
    "包装材料",
    "家具",
    "服装",
    "医药",
    "印刷",
    "塑料制品",
    "钢结构",
    "房地产开发",
    "物业服务",
    "信息技术",
    "环保科技",
    "生物科技",
    "装饰工程",
    "电气设备",
    "农产品加工",
    "面粉",
    "橡胶制品",
    "玻璃制品",
    "五金",
    "轴承",
    "木业",
    "纸业",
    "酒业",
    "牧业",
    "石材",
    "运输",
    "劳务服务",
];

pub(crate) const COOP_PRODUCTS: &[&str] = &[
    "蔬菜种植",
    "粮食种植",
    "果品",
    "生猪养殖",
    "农机",
    "食用菌",
    "中药材",
    "苗木花卉",
    "土地股份",
    "肉牛养殖",
    "水产养殖",
    "家禽养殖",
    "大蒜种植",
    "小麦种植",
    "农业",
    "植保",
    "林果",
    "瓜菜",
];

pub(crate) const SOCIAL_SUBJECTS: &[&str] = &[
    "个体劳动者",
    "私营企业",
    "建筑业",
    "餐饮行业",
    "书法家",
    "美术家",
    "作家",
    "摄影家",
    "音乐家",
    "老年人体育",
    "篮球",
    "乒乓球",
    "门球",
    "太极拳",
    "象棋",
    "钓鱼",
    "收藏",
    "诗词",
    "企业家",
    "青年企业家",
    "女企业家",
    "物流行业",
    "商贸行业",
    "农业产业化",
    "畜牧业",
    "果蔬产业",
    "家政服务业",
    "物业管理",
    "律师",
    "会计",
    "医学",
    "护理",
    "教育",
    "科普",
    "志愿者",
    "慈善",
    "红十字",
    "退役军人",
    "老年",
    "京剧",
    "曲艺",
    "民间文艺",
    "旅游",
    "电子商务",
    "汽车行业",
    "装饰装修",
    "民营医疗机构",
    "消费者",
    "质量",
    "安全生产",
];

pub(crate) const SOCIAL_KINDS: &[&str] = &[
    "协会",
    "协会",
    "协会",
    "商会",
    "学会",
    "联合会",
    "促进会",
    "研究会",
];

pub(crate) const PNE_KINDS: &[&str] = &[
    "幼儿园",
    "幼儿园",
    "培训学校",
    "职业培训学校",
    "养老院",
    "养老服务中心",
    "社会工作服务中心",
    "康复中心",
    "医院",
    "文化艺术中心",
    "体育俱乐部",
    "托育中心",
    "调解服务中心",
    "志愿服务中心",
];

/// Chinese ordinal numerals: 一, 二, … 九十九.
pub(crate) fn numeral(n: usize) -> String {
    const D: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0 => "零".to_string(),
        1..=9 => D[n].to_string(),
        10..=19 => format!("十{}", D[n - 10]),
        20..=99 => format!("{}十{}", D[n / 10], D[n % 10]),
        _ => n.to_string(),
    }
}

/// A trade name of two distinct characters.
pub(crate) fn trade_name(rng: &mut Rng) -> String {
    let a = rng.index(TRADE_CHARS.len());
    let mut b = rng.index(TRADE_CHARS.len() - 1);
    if b >= a {
        b += 1;
    }
    format!("{}{}", TRADE_CHARS[a], TRADE_CHARS[b])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numerals() {
        assert_eq!(numeral(1), "一");
        assert_eq!(numeral(10), "十");
        assert_eq!(numeral(12), "十二");
        assert_eq!(numeral(20), "二十");
        assert_eq!(numeral(35), "三十五");
    }

    #[test]
    fn names_are_two_or_three_chinese_characters() {
        let mut rng = Rng::new(3);
        for i in 0..2000 {
            let n = person(&mut rng, i % 2 == 0);
            let len = n.chars().count();
            assert!((2..=3).contains(&len), "{n}");
            assert!(n.chars().all(|c| !c.is_ascii()), "{n}");
        }
    }
}
