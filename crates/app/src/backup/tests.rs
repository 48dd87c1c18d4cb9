use super::*;

#[test]
fn postgres_urls_keep_their_password_off_the_command_line() {
    let u = PgUrl::parse("postgres://jc:p%40ss@db.local:5433/jiceng?sslmode=require").unwrap();
    assert_eq!(u.db, "jiceng");
    assert_eq!(u.password.as_deref(), Some("p@ss"));
    assert_eq!(
        u.url(),
        "postgres://jc@db.local:5433/jiceng?sslmode=require"
    );
    assert_eq!(
        u.with_db("postgres"),
        "postgres://jc:p%40ss@db.local:5433/postgres?sslmode=require"
    );
    let plain = PgUrl::parse("postgres://postgres@127.0.0.1:5432/x").unwrap();
    assert_eq!(plain.password, None);
    assert_eq!(
        plain.url_with_password(),
        "postgres://postgres@127.0.0.1:5432/x"
    );
    assert!(PgUrl::parse("postgres://host").is_err());
}

#[test]
fn manifests_round_trip() {
    let m = Manifest {
        format: FORMAT.into(),
        format_version: FORMAT_VERSION,
        jiceng_version: "0.1.0".into(),
        backend: "sqlite".into(),
        schema_version: 13,
        crypto_suite: Some("aes".into()),
        key_fingerprint: Some("ab".into()),
        audit_head: Some(AuditHead {
            seq: 3,
            mac: "cd".into(),
        }),
        counts: [("member".to_string(), 5)].into_iter().collect(),
        created_at: "2026-12-15T00:00:00.000Z".into(),
        file: "bk.db".into(),
        bytes: 10,
        sha256: "00".into(),
    };
    let text = serde_json::to_string_pretty(&m).unwrap();
    assert_eq!(serde_json::from_str::<Manifest>(&text).unwrap(), m);
}
