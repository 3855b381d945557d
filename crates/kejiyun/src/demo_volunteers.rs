//! Demo: 科技志愿服务 — in 邻水县, the tech worker (13900000001) and the farmer (13900000007)
//! registered as volunteers, a dozen more imported by the county admin from a roster sheet;
//! the county's 支队 with a 大队 and a 小队 under it, the farmer a member (asked, approved by the
//! leader) and a request still waiting; so `volunteers` and `teams` show on the dashboards.
//! Two activities: a field-guidance morning three days ago (two volunteers checked in and out
//! with the rotating code, their hours adjusted and approved, the report filed, the farmer's
//! certificate issued — verifiable at `/verify/{code}`), and an outreach day next week still
//! recruiting; so `activities`, `people_served`, `materials_distributed` and `service_hours`
//! show too.

use kejiyun_core::accounts::IdCardNumber;
use kejiyun_core::app::Services;
use kejiyun_core::ids::TeamId;
use kejiyun_core::import::Sheet;
use kejiyun_core::permissions::Actor;
use kejiyun_core::time::{Clock, ManualClock, Timestamp};
use kejiyun_core::trainings::parse_time;
use kejiyun_core::volunteers::activities::{ActivityInput, ReportInput};
use kejiyun_core::volunteers::{Team, TeamDraft, VolunteerInput};

use crate::demo::{actor_of, day_at, err};

const LINSHUI: &str = "511623";

/// A valid GB 11643 number from a 17-digit body.
fn id_number(body: &str) -> String {
    format!("{body}{}", IdCardNumber::check_digit(body).unwrap_or('0'))
}

async fn register(
    s: &Services,
    who: &Actor,
    name: &str,
    id_body: &str,
    phone: &str,
    skills: &str,
) -> anyhow::Result<()> {
    s.volunteers()
        .register(
            who,
            &VolunteerInput {
                name,
                id_card: &id_number(id_body),
                phone,
                region: LINSHUI,
                skills,
                availability: "周末、农闲时",
            },
        )
        .await
        .map_err(err)?;
    Ok(())
}

/// The county admin's roster sheet: a dozen villagers and teachers.
fn roster() -> Sheet {
    const PEOPLE: [(&str, &str); 12] = [
        ("唐秀英", "营养健康"),
        ("何志强", "种养植"),
        ("罗桂兰", "畜牧兽医"),
        ("蒋德华", "法律"),
        ("邓春燕", "科普讲解"),
        ("曾建国", "应急救护"),
        ("彭小红", "心理健康"),
        ("谢国平", "信息技术、电商营销"),
        ("冯玉梅", "教育辅导"),
        ("董长贵", "种养植、畜牧兽医"),
        ("程丽华", "营养健康、科普讲解"),
        ("袁家富", "种养植"),
    ];
    let mut rows = vec![
        [
            "姓名",
            "身份证号",
            "手机号",
            "地区代码",
            "技能",
            "可服务时间",
        ]
        .map(str::to_owned)
        .to_vec(),
    ];
    for (i, (name, skills)) in PEOPLE.iter().enumerate() {
        rows.push(vec![
            (*name).to_owned(),
            id_number(&format!("5116231975060{:04}", 100 + i)),
            format!("1377000{:04}", 100 + i),
            LINSHUI.to_owned(),
            (*skills).to_owned(),
            "农闲时".to_owned(),
        ]);
    }
    Sheet { rows }
}

async fn team(
    s: &Services,
    admin: &Actor,
    name: &str,
    level: &str,
    parent: Option<TeamId>,
    leader: &Actor,
    about: &str,
) -> anyhow::Result<Team> {
    let draft =
        TeamDraft::parse(name, level, parent, LINSHUI, leader.user_id, about).map_err(err)?;
    s.volunteers().create_team(admin, draft).await.map_err(err)
}

fn at(raw: &str) -> anyhow::Result<Timestamp> {
    parse_time("at", raw).map_err(err)
}

/// The field-guidance morning (held three days ago, with its check-ins, hours, report and a
/// certificate) and next week's outreach day.
async fn activities(
    s: &Services,
    clock: &ManualClock,
    admin: &Actor,
    leader: &Actor,
    team: TeamId,
    volunteers: [&Actor; 2],
) -> anyhow::Result<()> {
    let now = clock.now();
    let today = now.shanghai_date();
    let acts = s.volunteer_activities();
    // Replayed at its own times: announced five days ago, signed up for the day before, and
    // the code on the screen is the one of each check-in's minute.
    clock.set(at(&day_at(today, -5, "10:00"))?);
    let held = acts
        .create(
            leader,
            &ActivityInput {
                team: Some(team.0),
                kind: "field_guidance".into(),
                title: "柑橘冬季清园田间指导".into(),
                place: "邻水县坛同镇柑橘示范园".into(),
                region: LINSHUI.into(),
                starts_at: day_at(today, -3, "09:00"),
                ends_at: day_at(today, -3, "12:00"),
                capacity: 10,
                skills: "种养植、科普讲解".into(),
                description: "现场示范清园、冬季修剪和红蜘蛛越冬虫源识别，解答种植户问题。".into(),
            },
        )
        .await
        .map_err(err)?;
    clock.set(at(&day_at(today, -4, "18:00"))?);
    for v in volunteers {
        acts.sign_up(v, held).await.map_err(err)?;
    }
    for (hm, v, check_in) in [
        ("08:52", volunteers[0], true),
        ("09:14", volunteers[1], true),
        ("11:35", volunteers[1], false),
        ("11:56", volunteers[0], false),
    ] {
        clock.set(at(&day_at(today, -3, hm))?);
        let code = acts.current_code(leader, held).await.map_err(err)?.code;
        if check_in {
            acts.check_in(v, held, &code).await.map_err(err)?;
        } else {
            acts.check_out(v, held, &code).await.map_err(err)?;
        }
    }
    clock.set(at(&day_at(today, -3, "14:00"))?);
    acts.file_report(
        leader,
        held,
        &ReportInput {
            people_served: 126,
            materials_distributed: 380,
            gifts: 40,
            questions_answered: 57,
            note: Some("发放《柑橘冬季清园技术要点》明白纸，现场解答问题 57 个。".into()),
            photos: vec![],
        },
    )
    .await
    .map_err(err)?;
    clock.set(now);
    acts.adjust(
        leader,
        held,
        volunteers[1].user_id,
        150,
        "提前到场布置展板，按现场记录补记",
    )
    .await
    .map_err(err)?;
    for v in volunteers {
        acts.decide_hours(leader, held, v.user_id, true, None)
            .await
            .map_err(err)?;
    }
    acts.activity_certificate(volunteers[0], held)
        .await
        .map_err(err)?;

    let next = acts
        .create(
            admin,
            &ActivityInput {
                team: None,
                kind: "outreach".into(),
                title: "科普进万家：冬季防火和预防一氧化碳中毒宣传".into(),
                place: "邻水县鼎屏镇农贸市场".into(),
                region: LINSHUI.into(),
                starts_at: day_at(today, 6, "09:30"),
                ends_at: day_at(today, 6, "12:00"),
                capacity: 20,
                skills: "科普讲解、应急救护".into(),
                description: "摆摊宣传、发放资料、演示灭火器使用。".into(),
            },
        )
        .await
        .map_err(err)?;
    acts.sign_up(volunteers[0], next).await.map_err(err)?;
    Ok(())
}

pub(crate) async fn load(s: &Services, clock: &ManualClock) -> anyhow::Result<()> {
    let admin = actor_of(s, "linshui@kejiyun.demo").await?;
    let expert = actor_of(s, "13900000001").await?;
    let farmer = actor_of(s, "13900000007").await?;
    let firm = actor_of(s, "13900000008").await?;
    register(
        s,
        &expert,
        "王农艺师",
        "51162319780312045",
        "13900000001",
        "种养植、科普讲解",
    )
    .await?;
    register(
        s,
        &farmer,
        "周大伯",
        "51162319620815031",
        "13900000007",
        "种养植",
    )
    .await?;
    register(
        s,
        &firm,
        "陈经理",
        "51162319850203022",
        "13900000008",
        "电商营销",
    )
    .await?;
    let (report, imported) = s
        .volunteers()
        .import_volunteers(&admin, &roster(), true)
        .await
        .map_err(err)?;
    anyhow::ensure!(
        report.is_clean() && imported == 12,
        "demo roster: {:?}",
        report.errors
    );

    let county = team(
        s,
        &admin,
        "邻水县科技志愿服务支队",
        "支队",
        None,
        &expert,
        "县科协组建，面向全县开展农技、科普、健康志愿服务",
    )
    .await?;
    let brigade = team(
        s,
        &admin,
        "农技服务大队",
        "大队",
        Some(county.id),
        &expert,
        "柑橘、脐橙、生猪技术服务",
    )
    .await?;
    team(
        s,
        &admin,
        "坛同镇柑橘志愿小队",
        "小队",
        Some(brigade.id),
        &farmer,
        "坛同镇柑橘种植户互助",
    )
    .await?;
    // The farmer asked to join the 支队 and the leader approved; the firm's request waits.
    let v = s.volunteers();
    v.request_to_join(&farmer, county.id).await.map_err(err)?;
    v.decide(&expert, county.id, farmer.user_id, true, "")
        .await
        .map_err(err)?;
    v.request_to_join(&firm, county.id).await.map_err(err)?;
    activities(s, clock, &admin, &expert, county.id, [&farmer, &firm]).await
}
