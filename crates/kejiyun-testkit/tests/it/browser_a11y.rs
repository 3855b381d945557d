//! Accessibility of the main pages, checked by axe-core (vendored: vendor/axe-core) in headless
//! Chromium at a phone's and a desktop's size: no violation of serious or critical impact, as a
//! visitor, a farmer with quotes on their need and a county official on the 工作台.

use kejiyun_testkit::browser::{Browser, run_once};
use kejiyun_testkit::{TestApp, TestUser};

use crate::snapshot_api::{Recorder, world};

const AXE: &str = include_str!("../../vendor/axe-core/axe.min.js");

/// The serious and critical violations axe finds on the current page (rule: nodes).
async fn violations(b: &Browser) -> anyhow::Result<Vec<String>> {
    b.client.execute(AXE, vec![]).await?;
    let found = b
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] }).then(r => done(
               r.violations
                 .filter(v => v.impact === 'serious' || v.impact === 'critical')
                 .map(v => v.id + ' (' + v.impact + '): ' +
                   v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))
             ), e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await?;
    Ok(serde_json::from_value(found)?)
}

async fn scenario(app: &TestApp, b: &Browser) -> anyhow::Result<()> {
    let w = world(&Recorder { app, record: false }).await;
    let public = [
        "/".to_owned(),
        "/login".to_owned(),
        "/register".to_owned(),
        "/services".to_owned(),
        "/needs".to_owned(),
        format!("/services/{}", w.service),
        "/tech-workers".to_owned(),
        "/stats/511600".to_owned(),
        "/search?q=%E6%9F%91%E6%A9%98".to_owned(),
        "/api".to_owned(),
    ];
    let as_farmer = [
        format!("/needs/{}", w.need),
        "/me/postings".to_owned(),
        "/needs/new".to_owned(),
    ];
    let as_admin = ["/admin".to_owned(), "/admin/tickets".to_owned()];
    let mut found = Vec::new();
    let pages: [(Option<&TestUser>, &[String]); 3] = [
        (None, &public),
        (Some(&w.farmer), &as_farmer),
        (Some(&w.admin), &as_admin),
    ];
    for (who, paths) in pages {
        if let Some(u) = who {
            b.login(app, &u.login).await?;
        }
        for path in paths {
            for desktop in [false, true] {
                if desktop {
                    b.desktop_size().await?;
                } else {
                    b.phone_size().await?;
                }
                b.goto(&app.url(path)).await?;
                for v in violations(b).await? {
                    found.push(format!(
                        "{path} ({}): {v}",
                        if desktop { "desktop" } else { "phone" }
                    ));
                }
            }
        }
        if who.is_some() {
            b.phone_size().await?;
            b.logout().await?;
        }
    }
    anyhow::ensure!(
        found.is_empty(),
        "accessibility violations:\n{}",
        found.join("\n")
    );
    Ok(())
}

#[tokio::test]
async fn main_pages_have_no_serious_accessibility_violations() {
    run_once("accessibility", scenario).await;
}
