use super::*;

#[test]
fn log_lines_sorted_by_cause() {
    assert_eq!(
        cause_of(
            r#"jiceng-web internal error: "数据库错误：error returned from database: (code: 5) database is locked""#
        ),
        "database is locked"
    );
    assert_eq!(
        cause_of(
            r#"jiceng-web internal error: Store(Database(PgDatabaseError { message: "duplicate key value violates unique constraint \"meeting_pkey\"" }))"#
        ),
        "duplicate key meeting_pkey"
    );
    assert_eq!(
        cause_of("jiceng-web internal error: x (code: 2067) UNIQUE constraint failed: meeting.id"),
        "UNIQUE constraint failed: meeting.id"
    );
}
