//! Materialized paths of the org tree and their literal prefix ranges (SCALE.md).
//!
//! A path is the chain of ids from the root, each in base 36 and closed by `/`:
//! `/1/2s/9ix/`. The subtree of a node is every path that starts with the node's path,
//! which a btree index answers as the literal range `path >= P AND path < P'`, where `P'`
//! is `P` with its last `/` replaced by `0` (the next byte after `/`).

/// The path of a node whose parent has path `parent` (or is a root when `None`).
pub fn child_path(parent: Option<&str>, id: i64) -> String {
    let mut p = parent.unwrap_or("/").to_string();
    p.push_str(&base36(id));
    p.push('/');
    p
}

/// The exclusive upper bound of the subtree range of `path`.
pub fn subtree_upper(path: &str) -> String {
    debug_assert!(path.ends_with('/'));
    let mut s = path[..path.len() - 1].to_string();
    s.push('0');
    s
}

/// The ids on a path, root first (the node itself last).
pub fn ids(path: &str) -> Vec<i64> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .filter_map(|s| i64::from_str_radix(s, 36).ok())
        .collect()
}

/// Depth of a node: 1 for a root.
pub fn depth(path: &str) -> usize {
    path.split('/').filter(|s| !s.is_empty()).count()
}

/// The shard of a path: the top subtree it lies in, named by the base-36 id of the org just
/// below the root (a province, for a national tree); the root's own rows are its id's.
/// Every row of a subtree lies in its top org's shard, so on a Citus cluster a province's
/// rows sit together on one node (docs/DEPLOYMENT.md).
pub fn shard(path: &str) -> &str {
    let mut segments = path.split('/').filter(|s| !s.is_empty());
    let root = segments.next().unwrap_or("");
    segments.next().unwrap_or(root)
}

fn base36(mut n: i64) -> String {
    assert!(n >= 0, "ids are non-negative");
    if n == 0 {
        return "0".into();
    }
    let digits = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    while n > 0 {
        out.push(digits[(n % 36) as usize]);
        n /= 36;
    }
    out.reverse();
    String::from_utf8(out).expect("ascii")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn paths_nest() {
        let root = child_path(None, 1);
        assert_eq!(root, "/1/");
        let child = child_path(Some(&root), 100);
        assert_eq!(child, "/1/2s/");
        assert_eq!(ids(&child), vec![1, 100]);
        assert_eq!(depth(&child), 2);
        assert_eq!(subtree_upper(&root), "/10");
    }

    #[test]
    fn a_subtree_lies_in_its_top_orgs_shard() {
        let root = child_path(None, 1);
        let province = child_path(Some(&root), 100);
        let township = child_path(Some(&child_path(Some(&province), 7)), 8);
        assert_eq!(shard(&root), "1");
        assert_eq!(shard(&province), "2s");
        assert_eq!(shard(&township), "2s");
        assert_eq!(shard(&child_path(Some(&root), 101)), "2t");
    }

    proptest! {
        // A path is inside a node's range exactly when the node is on it.
        #[test]
        fn range_is_exactly_the_subtree(a in 0i64..5000, b in 0i64..5000, c in 0i64..5000) {
            let pa = child_path(None, a);
            let pb = child_path(Some(&pa), b);
            let other = child_path(None, c);
            let up = subtree_upper(&pa);
            prop_assert!(pb.as_str() >= pa.as_str() && pb.as_str() < up.as_str());
            let inside = other.as_str() >= pa.as_str() && other.as_str() < up.as_str();
            prop_assert_eq!(inside, a == c);
        }
    }
}
