//! Demo: 科普 — the 邻水县 association (its county admin) published resources of every kind
//! with the small media files the repository ships (`demo_media/`, made for the project,
//! CC0): an article, a video, two illustrations, an audio clip, a PDF guide; the county
//! admin approved them. Over the past week readers viewed them (each visitor counted once per
//! 30 minutes, as the pages count), so `resources` and `resource_views` show on the
//! dashboards and the list sorts by views. The county's sharing base (邻水县青少年科技教育基地,
//! verified in the history) keeps its profile and opens visit slots next week; a middle
//! school's class booked one and the base confirmed it, another group's request waits. The
//! base shows one photo and links two of the county's resources (the video played in its
//! hall and an illustration), so the resource pages list it.

use kejiyun_core::app::{Decision, Services};
use kejiyun_core::bases::{BaseProfileInput, BookingInput, SlotInput};
use kejiyun_core::moderation::ModerationKind;
use kejiyun_core::permissions::Actor;
use kejiyun_core::popsci::ResourceInput;
use kejiyun_core::popsci::views::VisitorKey;
use kejiyun_core::time::{Clock, ManualClock};
use kejiyun_core::uploads::UploadKind;

use crate::demo::{actor_of, day_at, err};

const LINSHUI: &str = "511623";

/// A resource of the demo: kind, title, summary, category, tags, its file (name, bytes) or
/// an article's text, and how many readers it had over the past week.
struct DemoResource {
    kind: &'static str,
    title: &'static str,
    summary: &'static str,
    category: &'static str,
    tags: &'static str,
    file: Option<(&'static str, &'static [u8])>,
    body: &'static str,
    readers: u32,
}

const ARTICLE: &str = "<h2>什么时候剪</h2><p>柑橘冬季修剪在采果后到春芽萌动前进行，川东一般在 12 月到次年 2 月，避开霜冻天。</p>\
<h2>先剪什么</h2><ol><li>病虫枝、枯枝、交叉枝，剪下的枝条带出园外烧毁；</li><li>树冠内膛过密的枝，做到“外不挤、内不空”；</li><li>徒长枝留作结果母枝的，短截到饱满芽处。</li></ol>\
<h2>剪后管理</h2><p>大剪口涂保护剂，剪后全园喷一次石硫合剂清园。修剪量以全树叶片的三成为限，树势弱的少剪。</p>\
<p>有问题可以在“专家问诊”里提问，县农技推广中心的专家会解答。</p>";

const RESOURCES: [DemoResource; 6] = [
    DemoResource {
        kind: "article",
        title: "柑橘冬季修剪要点",
        summary: "冬季修剪的时间、先后顺序和剪后管理，一页看懂，适合果农阅读。",
        category: "fruit",
        tags: "柑橘,修剪,清园",
        file: None,
        body: ARTICLE,
        readers: 37,
    },
    DemoResource {
        kind: "video",
        title: "七步洗手法（动画）",
        summary: "四秒动画演示洗手要点，适合村卫生室、学校和科普e站循环播放。",
        category: "medicine",
        tags: "健康,传染病预防",
        file: Some((
            "hand-washing.mp4",
            include_bytes!("../demo_media/hand-washing.mp4"),
        )),
        body: "",
        readers: 52,
    },
    DemoResource {
        kind: "image",
        title: "柑橘修剪示意图",
        summary: "一张图说明开心形树冠怎么剪：打开光路，去掉病枝和交叉枝。",
        category: "fruit",
        tags: "柑橘,修剪",
        file: Some((
            "citrus-pruning.jpg",
            include_bytes!("../demo_media/citrus-pruning.jpg"),
        )),
        body: "",
        readers: 21,
    },
    DemoResource {
        kind: "image",
        title: "稻田害虫每周巡查",
        summary: "稻飞虱、二化螟早发现早防治：每周下田看一看，发现虫情及时报告。",
        category: "planting",
        tags: "水稻,病虫害",
        file: Some((
            "rice-pests.png",
            include_bytes!("../demo_media/rice-pests.png"),
        )),
        body: "",
        readers: 14,
    },
    DemoResource {
        kind: "audio",
        title: "生猪发热怎么办（广播稿）",
        summary: "村广播用的音频提示：生猪发热先隔离、量体温、报兽医，不要自行乱用药。",
        category: "livestock",
        tags: "生猪,疫病防控",
        file: Some((
            "pig-fever.mp3",
            include_bytes!("../demo_media/pig-fever.mp3"),
        )),
        body: "",
        readers: 9,
    },
    DemoResource {
        kind: "document",
        title: "猕猴桃果园管理手册",
        summary: "从建园、授粉到采收贮藏的猕猴桃管理要点，PDF 可下载打印。",
        category: "fruit",
        tags: "猕猴桃,果园管理",
        file: Some((
            "kiwi-guide.pdf",
            include_bytes!("../demo_media/kiwi-guide.pdf"),
        )),
        body: "",
        readers: 12,
    },
];

async fn publish(s: &Services, admin: &Actor, r: &DemoResource) -> anyhow::Result<i64> {
    let media = match r.file {
        Some((name, bytes)) => {
            let kind = match r.kind {
                "video" => UploadKind::Video,
                "audio" => UploadKind::Audio,
                "document" => UploadKind::Pdf,
                _ => UploadKind::Image,
            };
            let u = s
                .uploads()
                .upload(admin, name, bytes, &[kind])
                .await
                .map_err(err)?;
            Some(u.id.to_string())
        }
        None => None,
    };
    let id = s
        .resources()
        .create(
            admin,
            &ResourceInput {
                kind: r.kind.into(),
                title: r.title.into(),
                summary: r.summary.into(),
                body: r.body.into(),
                category: r.category.into(),
                tags: vec![r.tags.into()],
                region: LINSHUI.into(),
                media,
                ..Default::default()
            },
            true,
        )
        .await
        .map_err(err)?;
    s.moderation()
        .moderate(admin, ModerationKind::Resource, id.0, Decision::Approve)
        .await
        .map_err(err)?;
    Ok(id.0)
}

/// Plays the showcase on `s`, whose clock is `clock`: resources published a week ago, read
/// since (each reader once, on one of the seven days), the views written as the server's
/// flusher writes them.
pub(crate) async fn load(s: &Services, clock: &ManualClock) -> anyhow::Result<()> {
    let admin = actor_of(s, "linshui@kejiyun.demo").await?;
    let now = clock.now();
    clock.set(now.plus_seconds(-7 * 86_400));
    let mut published = Vec::new();
    for r in &RESOURCES {
        published.push((publish(s, &admin, r).await?, r.readers));
    }
    // The base links the video and the first illustration.
    let linked: Vec<i64> = ["video", "image"]
        .iter()
        .filter_map(|kind| {
            RESOURCES
                .iter()
                .zip(&published)
                .find(|(r, _)| r.kind == *kind)
                .map(|(_, (id, _))| *id)
        })
        .collect();
    for (resource, readers) in published {
        let read = s
            .resources()
            .get(Some(&admin), kejiyun_core::ids::PostingId::new(resource))
            .await
            .map_err(err)?;
        for reader in 0..readers {
            // Spread over the week, each reader a visitor of their own.
            clock.set(now.plus_seconds(-i64::from((reader * 11_617) % (7 * 86_400))));
            let mut key = [0u8; 16];
            key[..8].copy_from_slice(&resource.to_le_bytes());
            key[8..12].copy_from_slice(&reader.to_le_bytes());
            s.resources()
                .count_view(VisitorKey::from_bytes(key), &read.resource);
        }
    }
    clock.set(now);
    s.resources().flush_views().await.map_err(err)?;
    base(s, &linked).await
}

/// The county's sharing base: its profile, a photo, the resources it uses (`linked`), two
/// slots next week, a confirmed class visit and a pending request.
async fn base(s: &Services, linked: &[i64]) -> anyhow::Result<()> {
    let keeper = actor_of(s, "13900000003").await?;
    let teacher = actor_of(s, "13900000007").await?;
    let region = kejiyun_core::regions::RegionCode::parse(LINSHUI).map_err(err)?;
    let bases = s.bases().list(Some(region)).await.map_err(err)?;
    let Some(base) = bases.first() else {
        anyhow::bail!("demo data: the county's sharing base is missing");
    };
    s.bases()
        .save_profile(
            &keeper,
            base.org,
            &BaseProfileInput {
                base_type: "venue".into(),
                address: "邻水县鼎屏镇城北中学旁".into(),
                open_hours: "周二至周日 9:00–17:00（周一闭馆）".into(),
                contact_name: "刘老师".into(),
                contact_phone: "13900000003".into(),
                intro: Some(
                    "机器人、天文和农业科技三个展厅，可接待 60 人以内的中小学生团体参观，讲解员全程陪同。"
                        .into(),
                ),
            },
        )
        .await
        .map_err(err)?;
    let photo = s
        .uploads()
        .upload(
            &keeper,
            "citrus-pruning.jpg",
            include_bytes!("../demo_media/citrus-pruning.jpg"),
            &[UploadKind::Image],
        )
        .await
        .map_err(err)?;
    s.bases()
        .set_photos(&keeper, base.org, &[photo.id.to_string()])
        .await
        .map_err(err)?;
    s.bases()
        .set_resources(&keeper, base.org, linked)
        .await
        .map_err(err)?;
    let today = s.now().shanghai_date();
    let mut slots = Vec::new();
    for (days, from, to) in [(7, "09:00", "11:00"), (8, "14:00", "16:00")] {
        let slot = s
            .bases()
            .open_slot(
                &keeper,
                base.org,
                &SlotInput {
                    starts_at: day_at(today, days, from),
                    ends_at: day_at(today, days, to),
                    capacity: 60,
                },
            )
            .await
            .map_err(err)?;
        slots.push(slot);
    }
    let booking = |group: &str, size| BookingInput {
        group_name: group.into(),
        group_size: size,
        contact_phone: "13900000007".into(),
        note: Some("需要讲解员讲解农业科技展厅".into()),
    };
    let class = s
        .bases()
        .book(
            &teacher,
            base.org,
            slots[0],
            &booking("城北中学初二（3）班", 45),
        )
        .await
        .map_err(err)?;
    s.bases()
        .decide(&keeper, class, true, None)
        .await
        .map_err(err)?;
    s.bases()
        .book(
            &teacher,
            base.org,
            slots[1],
            &booking("鼎屏镇老年科普协会", 20),
        )
        .await
        .map_err(err)?;
    Ok(())
}
