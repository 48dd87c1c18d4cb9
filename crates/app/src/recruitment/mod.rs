//! 发展党员 (`Recruitment`): applicants registered once, each of the 25 steps recorded
//! once and judged by `jiceng_domain::recruitment`; at ⑰ the person joins the roster as a
//! probationary member, at ㉔ becomes full; the documents of each step are generated from
//! what is recorded.

pub mod documents;
