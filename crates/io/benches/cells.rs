//! Cell parsing on the hot path of every import (issue 6): dates in the forms rosters
//! write, numbers, text normalisation. `cargo bench -p jiceng-io`.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use jiceng_io::{normalize_text, parse_date, parse_int, Cell};

fn bench(c: &mut Criterion) {
    let dates = [
        Cell::Text("1985-03-01".into()),
        Cell::Text("1985年3月1日".into()),
        Cell::Text("1985.03".into()),
        Cell::Text("１９８５／３／１".into()),
        Cell::Number(31_107.0),
    ];
    c.bench_function("parse_date (5 common forms)", |b| {
        b.iter(|| {
            for d in &dates {
                let _ = black_box(parse_date(black_box(d)));
            }
        })
    });
    let n = Cell::Text("１２３".into());
    c.bench_function("parse_int (full-width digits)", |b| {
        b.iter(|| parse_int(black_box(&n)))
    });
    c.bench_function("normalize_text (a name with stray spaces)", |b| {
        b.iter(|| normalize_text(black_box(" 汶上县　南站镇 第一党支部 ")))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
