//! `jiceng org`: an org's dated facts and settings, by hand.

use std::process::ExitCode;

use anyhow::Result;
use jiceng_app::org_admin::{EventInput, OrgFields};
use jiceng_app::App;

use crate::args::OrgCommand;
use crate::open::system_org;

pub(crate) async fn org(app: &App, what: OrgCommand) -> Result<ExitCode> {
    let grant = jiceng_app::access::Actor::system().grant()?;
    match what {
        OrgCommand::Event {
            org,
            kind,
            on,
            until,
            reason,
        } => {
            let o = system_org(app, &org).await?;
            let e = EventInput { kind, on, until };
            jiceng_app::org_admin::record_event(app, &grant, &o, &e, &reason).await?;
            println!("已登记：{}", o.org.name);
        }
        OrgCommand::Set {
            org,
            term_years,
            records_from,
            committee,
            committee_on,
            temporary,
            reason,
        } => {
            let o = system_org(app, &org).await?;
            let mut f = OrgFields::of(&o.org);
            if let Some(y) = term_years {
                f.term_years = (y > 0).then_some(y);
            }
            f.records_from = records_from;
            if let Some(c) = committee {
                f.committee = committee_stated(&c)?;
            }
            f.committee_on = committee_on;
            if let Some(t) = temporary {
                f.temporary = t;
            }
            jiceng_app::org_admin::edit(app, &grant, &o, &f, &reason).await?;
            println!("已保存：{}", o.org.name);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `--committee`: yes, no or unknown (暂无数据).
fn committee_stated(c: &str) -> Result<Option<bool>> {
    Ok(match c {
        "yes" | "是" => Some(true),
        "no" | "否" => Some(false),
        "unknown" | "" => None,
        other => anyhow::bail!("--committee 应为 yes、no 或 unknown：{other}"),
    })
}
