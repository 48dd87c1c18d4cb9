//! Where the time of a transfer receipt goes at a data set's size: the stored facts of the
//! two branches' ancestors (`facts::refresh`, which also counts the running month's dues and
//! the year's 学时), then each of those two alone, each in a transaction rolled back.
//! `cargo run --release -p jiceng-bench --example transfer_probe -- sqlite:///…/province.db …/bench.key FROM_CODE TO_CODE`

use std::time::Instant;

use jiceng_app::{App, Crypto};
use jiceng_domain::Period;
use jiceng_store::Store;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let a: Vec<String> = std::env::args().collect();
    let store = Store::open(&a[1]).await?;
    let mut app = App::new(store, Crypto::load(std::path::Path::new(&a[2]))?);
    let mut conn = app.store().acquire().await?;
    let roots = jiceng_store::browse::roots(&mut conn).await?;
    app.fixed_today = roots.iter().filter_map(|r| r.facts.facts_on).max();
    let mut ids = Vec::new();
    for code in &a[3..5] {
        let id: i64 = sqlx::query_scalar("SELECT id FROM org WHERE code = $1")
            .bind(code.clone())
            .fetch_one(&mut *conn)
            .await?;
        ids.push(id);
    }
    drop(conn);
    let today = app.today();
    let year = chrono::Datelike::year(&today);
    let lapse = app.rules.in_force(today).membership.lapse_months;
    for round in 0..3 {
        let mut tx = app.store().begin().await?;
        let t = Instant::now();
        jiceng_store::facts::refresh(&mut tx, &app.rules, &ids, today).await?;
        let facts = t.elapsed();
        let t = Instant::now();
        jiceng_store::dues::refresh(&mut tx, &ids, Period::month_of(today), lapse).await?;
        let dues = t.elapsed();
        let t = Instant::now();
        jiceng_store::training::refresh(&mut tx, &app.rules, &ids, year).await?;
        let training = t.elapsed();
        drop(tx);
        println!("round {round}: facts::refresh {facts:?} (dues and 学时 inside), dues::refresh {dues:?}, training::refresh {training:?}");
    }
    // The receipt as the bench times it, and its pieces in a transaction rolled back.
    let member: i64 = {
        let mut conn = app.store().acquire().await?;
        sqlx::query_scalar(
            "SELECT id FROM member WHERE org_id = $1 AND exited_on IS NULL ORDER BY id DESC LIMIT 1",
        )
        .bind(ids[0])
        .fetch_one(&mut *conn)
        .await?
    };
    let t = Instant::now();
    let mut tx = app.store().begin().await?;
    let mut m = jiceng_store::members::get(&mut tx, &jiceng_store::Scope::All, member)
        .await?
        .expect("the member");
    let to = jiceng_store::orgs::get(&mut tx, &jiceng_store::Scope::All, ids[1])
        .await?
        .expect("the org");
    m.org_id = to.org.id;
    m.org_path = to.path.clone();
    jiceng_store::members::update(&mut tx, &m).await?;
    let update = t.elapsed();
    let t = Instant::now();
    jiceng_store::users::follow_member(&mut tx, m.id, m.org_id, "2026-01-01T00:00:00Z").await?;
    let follow = t.elapsed();
    let t = Instant::now();
    jiceng_store::facts::refresh(&mut tx, &app.rules, &ids, today).await?;
    let facts = t.elapsed();
    drop(tx);
    println!("pieces: member update {update:?}, follow_member {follow:?}, facts::refresh after the move {facts:?}");
    use jiceng_app::access::{self, Actor, TransferMembers};
    use jiceng_app::transfer::{self, NewLetter};
    let system = Actor::system();
    let grant = system.grant::<TransferMembers>()?;
    let codes = [a[3].clone(), a[4].clone()];
    for round in 0..4 {
        let to = codes[(round + 1) % 2].clone();
        let letter = NewLetter {
            to: Some(to),
            issued_on: today,
            reason: "探查".into(),
            ..NewLetter::default()
        };
        let t = Instant::now();
        let id = transfer::issue(&app, &grant, member, &letter).await?;
        let issued = t.elapsed();
        let t = Instant::now();
        transfer::receive(&app, &grant, id, today).await?;
        println!("round {round}: issue {issued:?}, receive {:?}", t.elapsed());
        let _ = access::OrgKey::Home;
    }
    Ok(())
}
