//! Demo: 科普e站 — the 邻水县 association registered two screens, one in 柑子镇's culture
//! station and one in 鼎屏镇's 城北 community, set a county playlist of its resources and an
//! evening playlist of the community screen's own (19:00–21:00: the video and the audio clip,
//! when people gather on the square), and the screens played them over the past three days:
//! their plays are the proof of play on each screen's page. The 柑子镇 screen's last heartbeat
//! was ten minutes ago (it shows offline: no real player runs in the demo); issue a new token
//! on a screen's page to open its player.

use kejiyun_core::app::Services;
use kejiyun_core::app::market::PostingQuery;
use kejiyun_core::estations::{
    EstationInput, PlayInput, PlaylistInput, PlaylistItemInput, PlaylistTarget,
};
use kejiyun_core::paging::Page;
use kejiyun_core::popsci::ResourceKind;
use kejiyun_core::regions::RegionCode;
use kejiyun_core::time::{Clock, ManualClock};

use crate::demo::{actor_of, err};

const LINSHUI: &str = "511623";

/// Plays `s`'s showcase of screens; `clock` is moved back for the history and restored.
pub(crate) async fn load(s: &Services, clock: &ManualClock) -> anyhow::Result<()> {
    let admin = actor_of(s, "linshui@kejiyun.demo").await?;
    let region = RegionCode::parse(LINSHUI).map_err(err)?;
    let listed = s
        .resources()
        .list(
            None,
            PostingQuery {
                region: Some(region),
                ..PostingQuery::default()
            },
            Page {
                page: 1,
                per_page: 20,
            },
        )
        .await
        .map_err(err)?;
    let resources: Vec<(i64, ResourceKind)> = listed
        .items
        .iter()
        .map(|(r, _)| (r.id.0, r.draft.kind))
        .collect();
    if resources.is_empty() {
        anyhow::bail!("demo data: the county's resources are missing");
    }
    let now = clock.now();
    clock.set(now.plus_seconds(-4 * 86_400));
    let mut screens = Vec::new();
    for (name, place) in [
        ("柑子镇科普e站", "柑子镇文化站一楼大厅"),
        ("城北社区科普e站", "鼎屏镇城北社区广场宣传栏旁"),
    ] {
        let (id, _token) = s
            .estations()
            .register(
                &admin,
                &EstationInput {
                    name: name.into(),
                    place: place.into(),
                    region: LINSHUI.into(),
                    operator: None,
                },
            )
            .await
            .map_err(err)?;
        screens.push(id);
    }
    let county = PlaylistInput {
        name: "邻水县科普精选".into(),
        windows: String::new(),
        items: resources
            .iter()
            .map(|(id, kind)| PlaylistItemInput {
                resource: *id,
                seconds: matches!(kind, ResourceKind::Image).then_some(12),
            })
            .collect(),
    };
    s.estations()
        .create_playlist(&admin, PlaylistTarget::Region(region), &county)
        .await
        .map_err(err)?;
    let evening: Vec<PlaylistItemInput> = resources
        .iter()
        .filter(|(_, k)| matches!(k, ResourceKind::Video | ResourceKind::Audio))
        .map(|(id, _)| PlaylistItemInput {
            resource: *id,
            seconds: None,
        })
        .collect();
    if !evening.is_empty() {
        s.estations()
            .create_playlist(
                &admin,
                PlaylistTarget::Estation(screens[1]),
                &PlaylistInput {
                    name: "晚间广场".into(),
                    windows: "19:00-21:00".into(),
                    items: evening,
                },
            )
            .await
            .map_err(err)?;
    }
    // Three days of plays: each screen loops the county's list for ten hours a day, an item
    // every 15 seconds, reporting every hour (as a player's queue arrives after a network loss).
    for (n, screen) in screens.iter().enumerate() {
        let e = s
            .store
            .estation(*screen)
            .await
            .map_err(|e| anyhow::anyhow!("demo data: {e}"))?
            .ok_or_else(|| anyhow::anyhow!("demo data: a screen is missing"))?;
        for day in (1..=3).rev() {
            let start = now.plus_seconds(-day * 86_400 - 6 * 3600);
            for hour in 0..10_i64 {
                let mut plays = Vec::new();
                // Fewer loops on the community screen (it is switched off at lunch).
                let loops = if n == 1 { 40 } else { 60 };
                for k in 0..loops {
                    let (resource, kind) = resources[k % resources.len()];
                    let seconds = match kind {
                        ResourceKind::Video | ResourceKind::Audio => 4.0,
                        _ => 12.0,
                    };
                    let started = start.plus_seconds(hour * 3600 + (k as i64) * 15);
                    plays.push(PlayInput {
                        id: format!("demo-{screen}-{day}-{hour}-{k}"),
                        resource,
                        started_at: started.to_rfc3339(),
                        seconds,
                    });
                }
                clock.set(start.plus_seconds(hour * 3600 + 3600));
                s.estations()
                    .heartbeat(&e, Some(resources[0].0), &plays)
                    .await
                    .map_err(err)?;
            }
        }
    }
    clock.set(now.plus_seconds(-600));
    if let Some(first) = screens.first() {
        let e = s
            .store
            .estation(*first)
            .await
            .map_err(|e| anyhow::anyhow!("demo data: {e}"))?
            .ok_or_else(|| anyhow::anyhow!("demo data: a screen is missing"))?;
        s.estations()
            .heartbeat(&e, Some(resources[0].0), &[])
            .await
            .map_err(err)?;
    }
    clock.set(now);
    Ok(())
}
