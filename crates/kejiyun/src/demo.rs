//! `serve --demo`: the 广安市 counties as an official would see them after seven months of use —
//! admins, tech workers, organizations, hundreds of needs, services and achievements, quotes,
//! inquiries and deals — loaded through the same use cases as real users, each on its
//! historical date (so moderation, audit entries and the statistics are real too). The named
//! accounts below are the ones to log in with; `demo_history.rs` plans everyone else's months
//! and `demo_replay.rs` replays them. Loading is idempotent: a second start finds the accounts
//! and leaves them.

use kejiyun_core::accounts::Login;
use kejiyun_core::app::Services;
use kejiyun_core::notifications::ReadSelection;
use kejiyun_core::permissions::Actor;

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "Demo2026kjy";

pub(crate) const ADMINS: &[(&str, &str, Option<&str>, &str)] = &[
    ("admin@kejiyun.demo", "system_admin", None, "平台管理员"),
    (
        "guangan@kejiyun.demo",
        "region_admin",
        Some("511600"),
        "广安市科协管理员",
    ),
    (
        "linshui@kejiyun.demo",
        "region_admin",
        Some("511623"),
        "邻水县科协管理员",
    ),
    (
        "yuechi@kejiyun.demo",
        "region_admin",
        Some("511621"),
        "岳池县科协管理员",
    ),
    // 三员分立: the security and audit administrators are accounts of their own.
    (
        "security@kejiyun.demo",
        "security_admin",
        None,
        "安全管理员",
    ),
    ("audit@kejiyun.demo", "audit_admin", None, "审计管理员"),
];

pub(crate) struct DemoWorker {
    pub phone: &'static str,
    pub name: &'static str,
    pub field: &'static str,
    pub title: &'static str,
    pub employer: &'static str,
    pub tags: &'static str,
    pub region: &'static str,
    pub bio: &'static str,
    pub verify: bool,
    /// A subject of `demo_phrases::TOPICS` they also work on in the history.
    pub topic: Option<&'static str>,
}

pub(crate) const WORKERS: &[DemoWorker] = &[
    DemoWorker {
        phone: "13900000001",
        name: "王建国",
        field: "果树栽培",
        title: "高级农艺师",
        employer: "邻水县农业农村局",
        tags: "柑橘,脐橙,黄龙病防治",
        region: "511623",
        bio: "从事柑橘栽培技术推广二十年，长期驻村指导脐橙提质增效和黄龙病综合防控。",
        verify: true,
        topic: Some("柑橘"),
    },
    DemoWorker {
        phone: "13900000002",
        name: "李秀英",
        field: "畜牧兽医",
        title: "执业兽医师",
        employer: "岳池县畜牧兽医站",
        tags: "生猪养殖,非洲猪瘟防控,饲料配方",
        region: "511621",
        bio: "负责全县生猪疫病监测，为中小养殖户提供生物安全和饲料配方指导。",
        verify: true,
        topic: Some("生猪"),
    },
    DemoWorker {
        phone: "13900000003",
        name: "张志强",
        field: "茶叶种植与加工",
        title: "农艺师",
        employer: "武胜县茶叶产业协会",
        tags: "茶园管理,绿茶加工,茶叶品牌",
        region: "511622",
        bio: "指导茶园标准化管理和名优绿茶加工工艺改进。",
        verify: true,
        topic: Some("茶园"),
    },
    DemoWorker {
        phone: "13900000004",
        name: "刘芳",
        field: "中药材",
        title: "副研究员",
        employer: "华蓥市中药材研究所",
        tags: "中药材种植,川芎,GAP 基地",
        region: "511681",
        bio: "研究川芎等道地药材的规范化种植，协助合作社建设 GAP 基地。",
        verify: true,
        topic: Some("川芎"),
    },
    DemoWorker {
        phone: "13900000005",
        name: "陈明",
        field: "电子信息",
        title: "高级工程师",
        employer: "广安经开区电子科技企业",
        tags: "5G,嵌入式系统,PCB 设计",
        region: "511602",
        bio: "从事 5G 通信模组和嵌入式产品开发，可为中小企业提供硬件设计咨询。",
        verify: true,
        topic: Some("电子元器件"),
    },
    DemoWorker {
        phone: "13900000006",
        name: "赵丽",
        field: "知识产权与财税",
        title: "律师",
        employer: "广安市前锋区律师事务所",
        tags: "专利申请,知识产权保护,企业税务",
        region: "511603",
        bio: "为科技型中小企业提供专利布局、知识产权维权和财税合规服务。",
        verify: false,
        topic: None,
    },
];

/// The farmer of the demo: (phone, name, county, what he grows).
pub(crate) const FARMER: (&str, &str, &str, &str) = ("13900000007", "周大伯", "511623", "脐橙");

pub(crate) struct DemoOrg {
    pub name: &'static str,
    pub org_type: &'static str,
    pub region: &'static str,
    pub owner: &'static str,
    pub address: &'static str,
    pub description: &'static str,
    pub verify: bool,
}

pub(crate) const ORGS: &[DemoOrg] = &[
    DemoOrg {
        name: "邻水县科学技术协会",
        org_type: "association",
        region: "511623",
        owner: "linshui@kejiyun.demo",
        address: "邻水县鼎屏镇",
        description: "邻水县科协，负责全县科技工作者服务、科学普及和科技志愿服务。",
        verify: true,
    },
    DemoOrg {
        name: "广安市柑橘产业农技协",
        org_type: "rural_association",
        region: "511600",
        owner: "13900000001",
        address: "广安市广安区",
        description: "联合全市柑橘种植大户和技术人员，推广良种良法，开展技术培训。",
        verify: true,
    },
    DemoOrg {
        name: "岳池县生猪养殖专业合作社",
        org_type: "cooperative",
        region: "511621",
        owner: "13900000002",
        address: "岳池县九龙街道",
        description: "生猪标准化养殖合作社，带动周边农户发展生态养殖。",
        verify: true,
    },
    DemoOrg {
        name: "华蓥市院士专家工作站",
        org_type: "expert_station",
        region: "511681",
        owner: "13900000004",
        address: "华蓥市双河街道",
        description: "依托本地龙头企业建设，围绕中药材和新材料开展产学研合作。",
        verify: true,
    },
    DemoOrg {
        name: "邻水县青少年科技教育基地",
        org_type: "base",
        region: "511623",
        owner: "13900000003",
        address: "邻水县鼎屏镇城北中学旁",
        description: "科普共享基地：机器人、天文和农业科技展厅，接待中小学生团体参观。",
        verify: true,
    },
    DemoOrg {
        name: "广安市脐橙科技示范园",
        org_type: "base",
        region: "511602",
        owner: "13900000005",
        address: "广安市广安区龙安乡",
        description: "科普共享基地：脐橙良种和绿色防控示范，开放给农户和学校现场观摩。",
        verify: true,
    },
    DemoOrg {
        name: "广安市知识产权服务中心",
        org_type: "agency",
        region: "511602",
        owner: "13900000006",
        address: "广安市广安区",
        description: "第三方知识产权服务机构，提供专利代理、商标注册和知识产权咨询。",
        verify: false,
    },
];

/// `days` from `today` (a Beijing date) at `hh:mm`, as a form would send it.
pub(crate) fn day_at(today: chrono::NaiveDate, days: i64, hm: &str) -> String {
    let step = chrono::Days::new(days.unsigned_abs());
    let day = if days < 0 {
        today.checked_sub_days(step)
    } else {
        today.checked_add_days(step)
    }
    .unwrap_or(today);
    format!("{day} {hm}")
}

pub(crate) async fn actor_of(s: &Services, login: &str) -> anyhow::Result<Actor> {
    let login = Login::parse(login).map_err(|e| anyhow::anyhow!("{e}"))?;
    let user = s
        .store
        .user_by_login(&login)
        .await?
        .ok_or_else(|| anyhow::anyhow!("demo user missing"))?;
    Ok(Actor {
        user_id: user.id,
        grants: s.store.grants(user.id).await?,
    })
}

pub(crate) fn err(e: kejiyun_core::DomainError) -> anyhow::Error {
    anyhow::anyhow!("demo data: {e}")
}

/// Loads the demo data (once) and returns the notice shown on the login page.
/// The demo's admins have been at work for months: the inbox notices of what entered their
/// queues in that time (hundreds) are read, as they would be; the queue itself still shows
/// what waits. Everyone else's inbox is left as the history made it.
async fn history_read_by_admins(s: &Services) -> anyhow::Result<()> {
    for (login, ..) in ADMINS {
        let login = Login::parse(login).map_err(err)?;
        if let Some(user) = s.store.user_by_login(&login).await? {
            let admin = Actor {
                user_id: user.id,
                grants: Vec::new(),
            };
            s.notifications()
                .mark_notifications_read(&admin, ReadSelection::All)
                .await?;
        }
    }
    Ok(())
}

pub async fn load(s: &Services) -> anyhow::Result<String> {
    let first = Login::parse(ADMINS[0].0).map_err(err)?;
    if s.store.user_by_login(&first).await?.is_none() {
        let started = std::time::Instant::now();
        crate::demo_replay::replay(s).await?;
        history_read_by_admins(s).await?;
        tracing::info!(
            elapsed_ms = started.elapsed().as_millis() as u64,
            "demo data loaded"
        );
    }
    let notice = format!(
        "演示账号（密码均为 {DEMO_PASSWORD}）：系统管理员 admin@kejiyun.demo；广安市管理员 guangan@kejiyun.demo；\
         邻水县管理员 linshui@kejiyun.demo；岳池县管理员 yuechi@kejiyun.demo；科技工作者 13900000001；农户 13900000007；企业 13900000008"
    );
    eprintln!("\n== 科技云演示数据 / Kejiyun demo accounts (password: {DEMO_PASSWORD}) ==");
    for (login, role, region, name) in ADMINS {
        eprintln!(
            "  {login:<24} {role:<13} {:<7} {name}",
            region.unwrap_or("-")
        );
    }
    for w in WORKERS {
        let state = if w.verify { "已认证" } else { "待审核" };
        eprintln!(
            "  {:<24} tech_worker   {:<7} {}（{state}）",
            w.phone, w.region, w.name
        );
    }
    for (phone, name, region, _) in std::iter::once(&FARMER).chain(crate::demo_market::REQUESTERS) {
        eprintln!("  {phone:<24} user          {region:<7} {name}");
    }
    eprintln!(
        "  另有科技工作者 13900010001 起、农户和企业 13900020001 起（七个月的需求、服务、成果和交易）"
    );
    eprintln!();
    Ok(notice)
}
