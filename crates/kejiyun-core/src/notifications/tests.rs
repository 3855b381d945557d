use super::*;

const T: Timestamp = Timestamp(1_700_000_000_000_000);

#[test]
fn the_nearest_level_with_admins_is_told() {
    let code = |c| RegionCode::parse(c).unwrap_or_else(|e| panic!("{e}"));
    let admins = [
        (UserId(1), code("511623")),
        (UserId(2), code("511600")),
        (UserId(3), code("510000")),
        (UserId(4), code("511623")),
    ];
    assert_eq!(
        nearest_admins(code("511623"), &admins),
        vec![UserId(1), UserId(4)]
    );
    // 武胜县 has no admin of its own: its city's admin is told.
    assert_eq!(nearest_admins(code("511622"), &admins), vec![UserId(2)]);
    assert_eq!(nearest_admins(code("511500"), &admins), vec![UserId(3)]);
    assert!(nearest_admins(code("520100"), &admins).is_empty());
    let n = pending_review(UserId(1), ModerationKind::Need, "柑橘黄龙病", T);
    assert_eq!(n.link, "/admin?kind=need#queue");
    assert!(n.title.contains("需求") && n.title.contains("柑橘黄龙病"));
}

#[test]
fn codes_round_trip() {
    for k in NotificationKind::ALL {
        assert_eq!(NotificationKind::parse(k.code()), Some(k));
    }
    assert_eq!(NotificationKind::parse("nope"), None);
    for p in NotificationPreference::ALL {
        assert_eq!(NotificationPreference::parse(p.code()), Ok(p));
    }
    assert_eq!(
        NotificationPreference::parse(" weekly "),
        Ok(NotificationPreference::Weekly)
    );
    let e = NotificationPreference::parse("hourly").expect_err("unknown preference");
    assert!(e.to_string().contains("每日摘要"), "{e}");
    assert_eq!(
        NotificationPreference::default(),
        NotificationPreference::Daily
    );
}

#[test]
fn read_selection_rules() {
    assert_eq!(
        ReadSelection::parse(Some(vec![3, 1, 3]), false),
        Ok(ReadSelection::Ids(vec![1, 3]))
    );
    assert_eq!(ReadSelection::parse(None, true), Ok(ReadSelection::All));
    assert_eq!(
        ReadSelection::parse(Some(vec![]), true),
        Ok(ReadSelection::All)
    );
    assert!(ReadSelection::parse(Some(vec![1]), true).is_err());
    assert!(ReadSelection::parse(None, false).is_err());
    assert!(ReadSelection::parse(Some(vec![]), false).is_err());
    assert!(ReadSelection::parse(Some(vec![0]), false).is_err());
    assert!(ReadSelection::parse(Some((1..=101).collect()), false).is_err());
}

#[test]
fn texts_are_cut_and_links_kept_local() {
    let long = "长".repeat(300);
    let n = NewNotification::new(
        UserId(1),
        NotificationKind::NewMatch,
        &long,
        &long.repeat(5),
        "https://evil.example/",
        T,
    );
    assert_eq!(n.title.chars().count(), MAX_TITLE_CHARS);
    assert!(n.title.ends_with('…'));
    assert_eq!(n.body.chars().count(), MAX_BODY_CHARS);
    assert_eq!(n.link, "/");
    for bad in ["//evil", "/a\\b", "needs/1", "/a\nb"] {
        assert!(!is_local_path(bad), "{bad}");
    }
    assert!(is_local_path("/needs/1?x=2"));
}

#[test]
fn event_texts() {
    let n = posting_approved(UserId(7), PostingKind::Need, 42, "柑橘黄龙病防治", T);
    assert_eq!(n.recipient, UserId(7));
    assert_eq!(n.kind, NotificationKind::PostingApproved);
    assert_eq!(n.title, "您的科技需求「柑橘黄龙病防治」已通过审核");
    assert_eq!(n.link, "/needs/42");
    let r = posting_rejected(
        UserId(7),
        PostingKind::Service,
        3,
        "土壤检测",
        Some("联系方式不完整"),
        T,
    );
    assert!(r.body.contains("联系方式不完整"), "{}", r.body);
    assert_eq!(r.link, "/services/3");
    let m = new_message(UserId(2), InquiryId(9), "土壤检测", "张三", true, T);
    assert_eq!(m.link, "/inquiries/9");
    assert!(m.title.contains("发起对接"));
    let q = new_quote(UserId(2), NeedId::new(5), "育苗", "李四", T);
    assert_eq!(q.link, "/needs/5");
    assert_eq!(
        deal_to_confirm(UserId(2), DealId(8), "育苗", T).link,
        "/deals/8"
    );
    assert_eq!(
        deal_confirmed(UserId(2), DealId(8), "育苗", T).kind,
        NotificationKind::DealConfirmed
    );
    let own = PostingRef {
        kind: PostingKind::Service,
        id: 1,
        title: "病虫害防治".into(),
    };
    let other = PostingRef {
        kind: PostingKind::Need,
        id: 2,
        title: "黄龙病".into(),
    };
    let nm = new_match(UserId(3), &own, &other, "/needs/2", T);
    assert_eq!(
        nm.title,
        "新发布的科技需求「黄龙病」与您的科技服务「病虫害防治」匹配"
    );
    assert_eq!(nm.link, "/needs/2");
}

#[test]
fn profile_decisions_tell_the_owner_only_on_approval_or_rejection() {
    use ModerationStatus as S;
    let org = ProfileRef::Org {
        id: 9,
        name: "岳池县生猪养殖专业合作社".into(),
    };
    let ok = profile_decision(UserId(3), &org, S::Pending, S::Published, None, T);
    let ok = ok.expect("approval notifies");
    assert_eq!(ok.kind, NotificationKind::ProfileApproved);
    assert_eq!(
        ok.title,
        "您的组织「岳池县生猪养殖专业合作社」的资料已通过审核"
    );
    assert_eq!(ok.link, "/orgs/9");
    let me = ProfileRef::TechWorker { id: 4 };
    let no = profile_decision(UserId(3), &me, S::Pending, S::Rejected, Some("缺证书"), T);
    let no = no.expect("rejection notifies");
    assert_eq!(no.kind, NotificationKind::ProfileRejected);
    assert!(no.body.contains("缺证书"), "{}", no.body);
    assert_eq!(no.link, "/me/tech-worker");
    for (from, to) in [(S::Published, S::Pending), (S::Draft, S::Pending)] {
        assert_eq!(profile_decision(UserId(3), &me, from, to, None, T), None);
    }
}
