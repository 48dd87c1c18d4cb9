use super::*;

fn e(row: usize, column: &str, message: &str) -> RowError {
    RowError {
        row,
        column: column.into(),
        message: message.into(),
        name: None,
    }
}

#[test]
fn error_list_keeps_the_first_by_row_and_counts_all() {
    let mut list = ErrorList::default();
    // Found out of order, as the later passes of an import find them.
    for row in (2..3_002).rev() {
        list.push(e(row, "姓名", "必填项为空"));
        list.push(e(row, "入党日期", "无法识别的日期"));
    }
    list.push(e(7, "姓名", &"长".repeat(10_000)));
    let mut report = ImportReport {
        rows: 5_000,
        ..Default::default()
    };
    list.finish(&mut report);
    assert_eq!(report.errors_total, 6_001);
    assert_eq!(report.errors.len(), MAX_LISTED_ERRORS);
    assert_eq!(report.valid, 5_000 - 3_000);
    assert_eq!(
        (report.errors[0].row, report.errors[0].column.as_str()),
        (2, "入党日期")
    );
    // Same row and column: in the order found.
    let row7: Vec<&RowError> = report.errors.iter().filter(|e| e.row == 7).collect();
    assert_eq!(row7.len(), 3);
    assert_eq!(row7[1].message, "必填项为空");
    assert_eq!(row7[2].message.chars().count(), MAX_MESSAGE_CHARS);
    assert!(row7[2].message.ends_with('…'));
    let last = report.errors.last().unwrap();
    assert_eq!(last.row, 2 + MAX_LISTED_ERRORS / 2 - 1);
}
