//! Demo: 培训 — the 邻水县 association's practical-skills training on citrus, two sessions held
//! this week with four enrolled and their attendance (ticked by the organizer, and one
//! attendee checking in with the rotating code), so `trainings` and `training_attendance`
//! show on the dashboards; and a science-explainer training in 岳池县 still open for enrolment.

use kejiyun_core::app::Services;
use kejiyun_core::time::{Clock, ManualClock};
use kejiyun_core::trainings::{SessionInput, TrainingInput};

use crate::demo::{actor_of, day_at, err};

fn session(clock: &ManualClock, days: i64, from: &str, to: &str) -> SessionInput {
    SessionInput {
        starts_at: day_at(clock.now().shanghai_date(), days, from),
        ends_at: day_at(clock.now().shanghai_date(), days, to),
    }
}

pub(crate) async fn load(s: &Services, clock: &ManualClock) -> anyhow::Result<()> {
    let linshui = actor_of(s, "linshui@kejiyun.demo").await?;
    let yuechi = actor_of(s, "yuechi@kejiyun.demo").await?;
    let trainings = s.trainings();
    let citrus = trainings
        .create(
            &linshui,
            &TrainingInput {
                kind: "practical_tech".into(),
                title: "柑橘绿色防控实用技术培训".into(),
                region: "511623".into(),
                org: None,
                place: Some("邻水县农业农村局三楼会议室".into()),
                online_url: None,
                capacity: 40,
                audience: "柑橘种植户、农技协会员".into(),
                sessions: vec![
                    session(clock, -3, "09:00", "12:00"),
                    session(clock, -2, "14:00", "17:00"),
                ],
            },
        )
        .await
        .map_err(err)?;
    let mut people = Vec::new();
    for login in ["13900000007", "13900000001", "13900000008", "13900000009"] {
        let a = actor_of(s, login).await?;
        trainings.enrol_self(&a, citrus).await.map_err(err)?;
        people.push(a);
    }
    let t = trainings.get(citrus).await.map_err(err)?;
    let (first, second) = match t.sessions.as_slice() {
        [a, b, ..] => (a.id, b.id),
        _ => anyhow::bail!("demo training without its two sessions"),
    };
    // The first session's roll, ticked by the organizer: three of four came.
    for a in &people[..3] {
        trainings
            .mark(&linshui, citrus, first, a.user_id, true)
            .await
            .map_err(err)?;
    }
    // The second: the farmer checks in with the code on the screen, the expert is ticked.
    let shown = trainings
        .current_code(&linshui, citrus, second)
        .await
        .map_err(err)?;
    trainings
        .check_in(&people[0], citrus, second, &shown.code)
        .await
        .map_err(err)?;
    trainings
        .mark(&linshui, citrus, second, people[1].user_id, true)
        .await
        .map_err(err)?;
    // The farmer, present at both, takes the certificate (verifiable at /verify/{code}).
    trainings
        .certificate(&people[0], citrus)
        .await
        .map_err(err)?;

    let guides = trainings
        .create(
            &yuechi,
            &TrainingInput {
                kind: "science_guide".into(),
                title: "科普讲解员能力提升培训".into(),
                region: "511621".into(),
                org: None,
                place: Some("岳池县科技馆报告厅".into()),
                online_url: Some("https://meeting.example.cn/yuechi-kepu".into()),
                capacity: 30,
                audience: "科技馆、科普e站讲解员".into(),
                sessions: vec![session(clock, 5, "09:00", "16:30")],
            },
        )
        .await
        .map_err(err)?;
    trainings
        .enrol_self(&people[3], guides)
        .await
        .map_err(err)?;
    Ok(())
}
