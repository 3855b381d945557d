//! The demo's showcase (`serve --demo`): the hand-written services, needs, achievements,
//! quotes, deals, an inquiry and a caseworker ticket of the named demo accounts, made through
//! the same use cases as real users in the last days of the demo history (the history replays
//! them at their step, its clock advanced between scenes).

use kejiyun_core::app::market::{DealInput, OfflineDealInput};
use kejiyun_core::app::{Decision, Services};
use kejiyun_core::market::postings::{AchievementInput, NeedInput, PostingKind, ServiceInput};
use kejiyun_core::market::quotes::QuoteInput;
use kejiyun_core::permissions::Actor;
use kejiyun_core::questions::QuestionInput;
use kejiyun_core::time::ManualClock;

use crate::demo::{actor_of, err};
use crate::demo_replay::{DEMO_CONTRACT_PDF, moderation_kind};

/// Extra demo people who post needs: (phone, name, county, what they work on).
pub const REQUESTERS: &[(&str, &str, &str, &str)] = &[
    (
        "13900000008",
        "吴经理（广安精工机械）",
        "511602",
        "农机零部件",
    ),
    ("13900000009", "郑大姐（岳池养殖户）", "511621", "生猪"),
];

/// How far the clock moves between two scenes of the showcase.
const BETWEEN_SCENES: i64 = 20 * 60;

struct DemoService {
    owner: &'static str,
    title: &'static str,
    description: &'static str,
    category: &'static str,
    tags: &'static str,
    region: &'static str,
    scope: &'static str,
    price: (&'static str, Option<i64>),
}

const SERVICES: &[DemoService] = &[
    DemoService {
        owner: "13900000001",
        title: "柑橘黄龙病诊断与综合防控指导",
        description: "上门查看果园，采样送检确诊黄龙病，制定挖除病株、防治木虱、健康种苗补栽的综合防控方案，并跟踪指导一个生长季。",
        category: "fruit",
        tags: "柑橘,黄龙病,木虱防治",
        region: "511623",
        scope: "county",
        price: ("negotiable", None),
    },
    DemoService {
        owner: "13900000001",
        title: "脐橙提质增效栽培技术培训",
        description: "面向种植大户和合作社，讲授脐橙整形修剪、水肥一体化、疏花疏果和采后处理，可到村集中培训。",
        category: "fruit",
        tags: "脐橙,水肥一体化,修剪",
        region: "511623",
        scope: "city",
        price: ("free", None),
    },
    DemoService {
        owner: "13900000002",
        title: "生猪养殖场非洲猪瘟生物安全评估",
        description: "按照生物安全分区要求，对养殖场人员、车辆、物资、饲料、水源进行逐项评估，出具整改清单和消毒流程。",
        category: "livestock",
        tags: "生猪,非洲猪瘟,生物安全",
        region: "511621",
        scope: "city",
        price: ("amount", Some(300_000)),
    },
    DemoService {
        owner: "13900000003",
        title: "茶园标准化管理与绿茶加工工艺指导",
        description: "指导茶园施肥修剪、病虫害绿色防控，以及杀青、揉捻、干燥等绿茶初制工艺的参数优化。",
        category: "tea",
        tags: "茶园管理,绿茶加工",
        region: "511622",
        scope: "province",
        price: ("negotiable", None),
    },
    DemoService {
        owner: "13900000004",
        title: "川芎规范化种植技术服务",
        description: "提供川芎种苗选择、适宜区划、田间管理和采收加工的规范化（GAP）技术服务，协助合作社建立生产档案。",
        category: "herbal",
        tags: "川芎,中药材,GAP",
        region: "511681",
        scope: "province",
        price: ("amount", Some(500_000)),
    },
    DemoService {
        owner: "13900000005",
        title: "5G 通信模组硬件设计咨询",
        description: "为物联网终端企业提供 5G 模组选型、射频与天线设计评审、整机认证准备等咨询服务。",
        category: "electronics",
        tags: "5G,物联网,射频",
        region: "511602",
        scope: "national",
        price: ("negotiable", None),
    },
    DemoService {
        owner: "13900000005",
        title: "嵌入式产品 PCB 设计与打样",
        description: "承接工业控制、农业物联网传感器等嵌入式产品的原理图与 PCB 设计，协助完成打样与小批量试产。",
        category: "electronics",
        tags: "嵌入式,PCB 设计",
        region: "511602",
        scope: "national",
        price: ("amount", Some(2_000_000)),
    },
];

struct DemoNeed {
    owner: &'static str,
    title: &'static str,
    problem: &'static str,
    practice: &'static str,
    target: &'static str,
    budget_fen: Option<i64>,
    industry: &'static str,
    category: &'static str,
    region: &'static str,
    /// 0 draft, 1 pending, 2 published.
    stage: u8,
}

const NEEDS: &[DemoNeed] = &[
    DemoNeed {
        owner: "13900000007",
        title: "脐橙园黄龙病防治求助",
        problem: "家里 30 亩脐橙去年开始有十几棵树叶片斑驳发黄、果实小而青，今年又多了二十多棵，担心整个园子都会染上。",
        practice: "自己挖了几棵病树，打过两次杀虫药，没有请人看过。",
        target: "确诊病因，控制住传播，明年产量恢复正常。",
        budget_fen: Some(500_000),
        industry: "agriculture",
        category: "fruit",
        region: "511623",
        stage: 2,
    },
    DemoNeed {
        owner: "13900000009",
        title: "中小养殖场非洲猪瘟防控方案",
        problem: "存栏 300 头的育肥场，周边村子去年出现过疫情，现有的消毒和人员进出管理比较随意，想系统地做一套防控。",
        practice: "门口有消毒池，车辆偶尔消毒，工人自由进出。",
        target: "建立分区管理和消毒流程，通过县里的生物安全检查。",
        budget_fen: Some(1_000_000),
        industry: "agriculture",
        category: "livestock",
        region: "511621",
        stage: 2,
    },
    DemoNeed {
        owner: "13900000008",
        title: "数控机床故障诊断与改造",
        problem: "车间两台十年前的数控车床经常报伺服故障，精度下降，原厂已不提供服务，影响订单交付。",
        practice: "靠老师傅经验维修，每月停机五六天。",
        target: "诊断根本原因，完成数控系统升级改造，月停机控制在一天以内。",
        budget_fen: Some(8_000_000),
        industry: "industry",
        category: "manufacturing",
        region: "511602",
        stage: 2,
    },
    DemoNeed {
        owner: "13900000008",
        title: "企业研发费用加计扣除政策咨询",
        problem: "公司今年有新产品研发投入，不清楚哪些费用可以归集为研发费用，担心申报不规范带来税务风险。",
        practice: "由会计按经验归集，没有设立研发辅助账。",
        target: "建立研发辅助账，规范申报加计扣除。",
        budget_fen: Some(300_000),
        industry: "services",
        category: "tax",
        region: "511602",
        stage: 2,
    },
    DemoNeed {
        owner: "13900000007",
        title: "茶叶初制加工设备选型",
        problem: "村里合作社准备建一条小型绿茶初制加工线，不知道杀青机、揉捻机怎么选型配套。",
        practice: "目前手工炒制。",
        target: "日加工鲜叶 500 公斤左右。",
        budget_fen: None,
        industry: "agriculture",
        category: "tea",
        region: "511623",
        stage: 0,
    },
    DemoNeed {
        owner: "13900000009",
        title: "药材种植合作社专利申请咨询",
        problem: "合作社改进了川芎的晾晒架，想申请实用新型专利，不清楚流程、费用和需要准备的材料。",
        practice: "尚未咨询过代理机构。",
        target: "三个月内提交专利申请。",
        budget_fen: Some(200_000),
        industry: "agriculture",
        category: "ip",
        region: "511621",
        stage: 1,
    },
];

/// The showcase's titles (the history writes others).
pub(crate) fn titles() -> impl Iterator<Item = &'static str> {
    SERVICES
        .iter()
        .map(|d| d.title)
        .chain(NEEDS.iter().map(|d| d.title))
        .chain(["川芎脱毒种苗快繁技术", "低功耗 5G 物联网通信模组"])
}

async fn approve(s: &Services, admin: &Actor, kind: PostingKind, id: i64) -> anyhow::Result<()> {
    s.moderation()
        .moderate(admin, moderation_kind(kind), id, Decision::Approve)
        .await
        .map_err(err)?;
    Ok(())
}

/// Plays the showcase on `s`, whose clock is `clock`.
pub async fn load(s: &Services, clock: &ManualClock) -> anyhow::Result<()> {
    let city_admin = actor_of(s, "guangan@kejiyun.demo").await?;
    let linshui_admin = actor_of(s, "linshui@kejiyun.demo").await?;

    let mut service_ids = Vec::new();
    for d in SERVICES {
        let owner = actor_of(s, d.owner).await?;
        let id = s
            .postings()
            .create(
                &owner,
                &ServiceInput {
                    title: d.title.into(),
                    description: d.description.into(),
                    category: d.category.into(),
                    tags: vec![d.tags.into()],
                    region: d.region.into(),
                    scope: d.scope.into(),
                    price_kind: d.price.0.into(),
                    price_fen: d.price.1,
                    contact: "both".into(),
                    org_id: None,
                },
                true,
            )
            .await
            .map_err(err)?;
        approve(s, &city_admin, PostingKind::Service, id.0).await?;
        service_ids.push(id);
        clock.advance_seconds(BETWEEN_SCENES);
    }

    let mut need_ids = Vec::new();
    for d in NEEDS {
        let owner = actor_of(s, d.owner).await?;
        let id = s
            .postings()
            .create(
                &owner,
                &NeedInput {
                    title: d.title.into(),
                    problem: d.problem.into(),
                    current_practice: Some(d.practice.into()),
                    target: Some(d.target.into()),
                    budget_fen: d.budget_fen,
                    deadline: None,
                    industry: d.industry.into(),
                    category: d.category.into(),
                    region: d.region.into(),
                },
                d.stage >= 1,
            )
            .await
            .map_err(err)?;
        if d.stage >= 2 {
            approve(s, &city_admin, PostingKind::Need, id.0).await?;
        }
        need_ids.push(id);
        clock.advance_seconds(BETWEEN_SCENES);
    }

    let liu = actor_of(s, "13900000004").await?;
    let herb = s
        .postings().create(
            &liu,
            &AchievementInput {
                title: "川芎脱毒种苗快繁技术".into(),
                summary: "通过茎尖脱毒与组培快繁，获得无病毒川芎种苗，繁殖系数提高 3 倍，田间发病率下降 60% 以上，已在华蓥、岳池推广 2000 亩。".into(),
                category: "herbal".into(),
                maturity: "industrial".into(),
                ip_type: "invention_patent".into(),
                ip_number: Some("ZL202110000001.X".into()),
                holders: "华蓥市中药材研究所".into(),
                transfer_modes: vec!["transfer".into(), "license".into()],
                price_kind: "amount".into(),
                price_fen: Some(50_000_000),
                region: "511681".into(),
                org_id: None,
            },
            true,
        )
        .await
        .map_err(err)?;
    approve(s, &city_admin, PostingKind::Achievement, herb.0).await?;
    let chen = actor_of(s, "13900000005").await?;
    let module = s
        .postings().create(
            &chen,
            &AchievementInput {
                title: "低功耗 5G 物联网通信模组".into(),
                summary: "面向农业物联网和工业监测的低功耗 5G RedCap 通信模组，待机功耗较同类产品降低 40%，已完成中试和入网测试。".into(),
                category: "electronics".into(),
                maturity: "pilot".into(),
                ip_type: "utility_patent".into(),
                ip_number: Some("ZL202220000002.3".into()),
                holders: "陈明及其团队".into(),
                transfer_modes: vec!["license".into(), "co_develop".into()],
                price_kind: "negotiable".into(),
                price_fen: None,
                region: "511602".into(),
                org_id: None,
            },
            true,
        )
        .await
        .map_err(err)?;
    approve(s, &city_admin, PostingKind::Achievement, module.0).await?;

    clock.advance_seconds(BETWEEN_SCENES);
    // The farmer's need: a quote accepted, both sides confirm; a caseworker followed it.
    let wang = actor_of(s, "13900000001").await?;
    let farmer = actor_of(s, "13900000007").await?;
    let ticket = s
        .tickets()
        .open_ticket(&linshui_admin, need_ids[0])
        .await
        .map_err(err)?;
    s.tickets()
        .add_follow_up(
            &linshui_admin,
            ticket,
            "call",
            "电话了解果园情况，建议先请县农业农村局专家现场确诊。",
        )
        .await
        .map_err(err)?;
    let quote = s
        .quotes()
        .submit_quote(
            &wang,
            need_ids[0],
            &QuoteInput {
                price_fen: 450_000,
                timeline_days: 60,
                method: "现场采样确诊，挖除病株，统一防治木虱，补栽无病毒苗，并在春梢期回访两次。"
                    .into(),
                service_id: service_ids.first().copied(),
            },
        )
        .await
        .map_err(err)?;
    clock.advance_seconds(BETWEEN_SCENES);
    let deal = s.quotes().accept_quote(&farmer, quote).await.map_err(err)?;
    clock.advance_seconds(BETWEEN_SCENES);
    s.deals().confirm_deal(&wang, deal).await.map_err(err)?;
    s.tickets()
        .link_ticket(&linshui_admin, ticket, "deal", deal.0)
        .await
        .map_err(err)?;
    s.tickets()
        .close_ticket(
            &linshui_admin,
            ticket,
            "deal_made",
            Some("已促成与王建国高级农艺师的技术服务交易。"),
        )
        .await
        .map_err(err)?;

    clock.advance_seconds(BETWEEN_SCENES);
    // The breeder's need: a quote waiting for an answer.
    let li = actor_of(s, "13900000002").await?;
    s.quotes()
        .submit_quote(
            &li,
            need_ids[1],
            &QuoteInput {
                price_fen: 980_000,
                timeline_days: 45,
                method: "分两次上门评估，出具生物安全整改清单，培训场内人员消毒流程并复查。".into(),
                service_id: service_ids.get(2).copied(),
            },
        )
        .await
        .map_err(err)?;

    clock.advance_seconds(BETWEEN_SCENES);
    // An enterprise asks the electronics engineer; they agree on a consulting deal.
    let wu = actor_of(s, "13900000008").await?;
    let thread = s
        .inquiries()
        .start_inquiry(
            &wu,
            PostingKind::Service,
            service_ids[5].0,
            "您好，我们想给机床加装 5G 数据采集终端，能否先做一次方案咨询？",
        )
        .await
        .map_err(err)?;
    s.inquiries()
        .reply_inquiry(
            &chen,
            thread,
            "可以，下周二可以到厂里看现场，咨询费按两天计。",
        )
        .await
        .map_err(err)?;
    let today = s.now().shanghai_date().to_string();
    let consult = s
        .deals()
        .propose_deal(
            &chen,
            &DealInput {
                inquiry_id: Some(thread),
                amount_fen: 1_200_000,
                deal_date: today.clone(),
                note: Some("现场咨询两天".into()),
                ..Default::default()
            },
        )
        .await
        .map_err(err)?;
    clock.advance_seconds(BETWEEN_SCENES);
    s.deals().confirm_deal(&wu, consult).await.map_err(err)?;

    clock.advance_seconds(BETWEEN_SCENES);
    // A transfer recorded from an offline contract by the city association.
    let zheng = actor_of(s, "13900000009").await?;
    s.deals()
        .record_offline_deal(
            &city_admin,
            &OfflineDealInput {
                achievement_id: Some(herb),
                requester_id: Some(zheng.user_id.0),
                amount_fen: 30_000_000,
                deal_date: today,
                note: Some("川芎脱毒种苗技术许可，线下签订合同".into()),
                ..Default::default()
            },
            "技术许可合同.pdf",
            DEMO_CONTRACT_PDF.to_vec(),
        )
        .await
        .map_err(err)?;

    clock.advance_seconds(BETWEEN_SCENES);
    // 问专家: the farmer's question answered by the county's expert and accepted; a breeder's
    // waits for an answer.
    let asked = s
        .postings()
        .create(
            &farmer,
            &QuestionInput {
                title: "柑橘新梢叶片发黄卷曲是什么原因".into(),
                text:
                    "今年春梢抽出后，十几棵柑橘树的新叶发黄、往里卷，老叶还正常，浇水施肥都按时。"
                        .into(),
                category: "fruit".into(),
                region: "511623".into(),
            },
            true,
        )
        .await
        .map_err(err)?;
    approve(s, &linshui_admin, PostingKind::Question, asked.0).await?;
    clock.advance_seconds(BETWEEN_SCENES);
    let answer = s
        .questions()
        .answer(
            &wang,
            asked,
            "多半是蚜虫或潜叶蛾危害新梢所致：翻看叶背有无虫体和虫道；有虫可用吡虫啉防治，并结合抹芽控梢。若叶脉间黄化、叶片小，再考虑缺锌缺锰，叶面喷施微量元素肥。",
            &[],
        )
        .await
        .map_err(err)?;
    clock.advance_seconds(BETWEEN_SCENES);
    s.questions()
        .accept(&farmer, asked, answer)
        .await
        .map_err(err)?;
    let waiting = s
        .postings()
        .create(
            &zheng,
            &QuestionInput {
                title: "仔猪断奶后拉稀怎么处理".into(),
                text: "二十多头仔猪断奶一周后陆续拉稀，精神还可以，吃料减少，想问问该怎么调理。"
                    .into(),
                category: "livestock".into(),
                region: "511621".into(),
            },
            true,
        )
        .await
        .map_err(err)?;
    approve(s, &city_admin, PostingKind::Question, waiting.0).await?;
    Ok(())
}
