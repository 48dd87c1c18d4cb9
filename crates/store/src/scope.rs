//! The scope of a read: everything, a subtree (a literal path range), or nothing.

/// Which part of the tree a read may see. Built from a resolved org path, never from a
/// subquery, so the database answers it from the path index (SCALE.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    Subtree { path: String, upper: String },
    Nothing,
}

impl Scope {
    pub fn subtree(path: &str) -> Scope {
        Scope::Subtree {
            path: path.to_string(),
            upper: jiceng_domain::path::subtree_upper(path),
        }
    }

    /// The SQL predicate on `column` with its two bound values, numbered from `next`.
    pub(crate) fn predicate(&self, column: &str, next: usize) -> (String, Vec<String>) {
        match self {
            Scope::All => ("1=1".into(), vec![]),
            Scope::Nothing => ("1=0".into(), vec![]),
            Scope::Subtree { path, upper } => (
                format!("{column} >= ${} AND {column} < ${}", next, next + 1),
                vec![path.clone(), upper.clone()],
            ),
        }
    }

    /// Whether a path lies in the scope.
    pub fn contains(&self, path: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Nothing => false,
            Scope::Subtree { path: p, upper } => path >= p.as_str() && path < upper.as_str(),
        }
    }
}
