use super::*;

#[test]
fn recovery_codes_are_long_and_distinct() {
    let a = new_recovery_code().unwrap();
    let b = new_recovery_code().unwrap();
    assert_ne!(a, b);
    assert_eq!(a.len(), RECOVERY_LEN + 3);
    assert_eq!(
        recovery_hash(1, &a.replace('-', "")),
        recovery_hash(1, &a.replace('-', ""))
    );
    assert_ne!(
        recovery_hash(1, &a.replace('-', "")),
        recovery_hash(2, &a.replace('-', ""))
    );
}

#[test]
fn rfc6238_sha1_vectors() {
    // RFC 6238 appendix B, SHA-1 secret "12345678901234567890": 94287082 at 59 s,
    // 07081804 at 1111111109 s (the last six digits with 6-digit codes).
    let c = TotpConfig::default();
    let t = engine(&c, b"12345678901234567890".to_vec()).unwrap();
    assert_eq!(t.generate(59), "287082");
    assert_eq!(t.generate(1_111_111_109), "081804");
    let b32 = t.get_secret_base32();
    assert_eq!(code_at(&c, &b32, 59 / 30).unwrap(), "287082");
}

#[test]
fn uri_and_qr() {
    let c = TotpConfig::default();
    let u = otpauth_uri(&c, "张 三", "JBSWY3DPEHPK3PXP");
    assert!(u.starts_with("otpauth://totp/jiceng:%E5%BC%A0%20%E4%B8%89?secret=JBSWY3DPEHPK3PXP"));
    assert!(u.contains("digits=6&period=30"));
    let svg = qr_svg(&u).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("</svg>"));
    assert!(!qr_text(&u).unwrap().is_empty());
}
