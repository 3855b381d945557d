use super::*;
use crate::permissions::Grant;

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap_or_else(|e| panic!("{e}"))
}

fn at(rfc3339: &str) -> Timestamp {
    Timestamp::from(
        chrono::DateTime::parse_from_rfc3339(rfc3339)
            .unwrap_or_else(|e| panic!("{e}"))
            .with_timezone(&chrono::Utc),
    )
}

fn field<T: std::fmt::Debug>(r: Result<T, DomainError>) -> &'static str {
    match r {
        Err(DomainError::Invalid { field, .. }) => field,
        other => panic!("expected invalid, got {other:?}"),
    }
}

fn playlist(id: i64, target: PlaylistTarget, windows: &str) -> Playlist {
    Playlist {
        id: PlaylistId(id),
        target,
        draft: PlaylistDraft {
            name: format!("列表{id}"),
            windows: DailyWindow::parse_list(windows).unwrap_or_else(|e| panic!("{e}")),
            items: vec![PlaylistItem {
                resource: ResourceId::new(1),
                seconds: None,
            }],
        },
        updated_at: Timestamp::from_micros(0),
    }
}

#[test]
fn windows_parse_contain_and_run_over_midnight() {
    let w = DailyWindow::parse("08:00-12:00").unwrap_or_else(|e| panic!("{e}"));
    assert!(w.contains(8 * 60) && w.contains(11 * 60 + 59) && !w.contains(12 * 60));
    let night = DailyWindow::parse("22:00～06:00").unwrap_or_else(|e| panic!("{e}"));
    assert!(night.contains(23 * 60) && night.contains(0) && !night.contains(6 * 60));
    assert_eq!(night.text(), "22:00-06:00");
    let list =
        DailyWindow::parse_list("08:00-12:00，14:00-24:00").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(windows_text(&list), "08:00-12:00, 14:00-24:00");
    assert!(DailyWindow::parse_list("  ").is_ok_and(|v| v.is_empty()));
    for bad in [
        "8点到12点",
        "08:00-08:00",
        "25:00-26:00",
        "08:60-09:00",
        "24:00-01:00",
    ] {
        assert_eq!(field(DailyWindow::parse_list(bad)), "windows", "{bad}");
    }
}

#[test]
fn beijing_minute_of_day() {
    // 16:30 UTC is 00:30 the next day in Beijing.
    assert_eq!(minute_of_day(at("2026-12-07T16:30:00Z")), 30);
    assert_eq!(minute_of_day(at("2026-12-07T01:00:00Z")), 9 * 60);
}

#[test]
fn program_order_puts_the_screen_first_then_nearer_regions_and_windows_before_all_day() {
    let me = EstationId(7);
    let county = code("511623");
    let lists = vec![
        playlist(1, PlaylistTarget::Region(code("510000")), ""),
        playlist(2, PlaylistTarget::Region(county), ""),
        playlist(3, PlaylistTarget::Region(county), "08:00-12:00"),
        playlist(4, PlaylistTarget::Estation(me), "19:00-21:00"),
        playlist(5, PlaylistTarget::Estation(EstationId(8)), ""),
        playlist(6, PlaylistTarget::Region(code("511602")), ""),
        playlist(7, PlaylistTarget::Region(code("511600")), ""),
    ];
    let ordered = program_order(me, county, lists);
    let ids: Vec<i64> = ordered.iter().map(|p| p.id.0).collect();
    assert_eq!(ids, vec![4, 3, 2, 7, 1]);
    let at_minute = |m: u16| playing_at(&ordered, m).map(|p| p.id.0);
    assert_eq!(at_minute(20 * 60), Some(4));
    assert_eq!(at_minute(9 * 60), Some(3));
    assert_eq!(at_minute(13 * 60), Some(2));
    assert_eq!(playing_at(&[], 0), None);
}

#[test]
fn playlist_drafts_are_checked() {
    let ok = PlaylistInput {
        name: "冬季农技".into(),
        windows: String::new(),
        items: vec![PlaylistItemInput {
            resource: 3,
            seconds: Some(20),
        }],
    };
    assert!(PlaylistDraft::parse(&ok).is_ok_and(|d| d.plays_at(0)));
    let empty = PlaylistInput {
        items: vec![],
        ..ok.clone()
    };
    assert_eq!(field(PlaylistDraft::parse(&empty)), "items");
    for seconds in [2, 3601] {
        let bad = PlaylistInput {
            items: vec![PlaylistItemInput {
                resource: 3,
                seconds: Some(seconds),
            }],
            ..ok.clone()
        };
        assert_eq!(field(PlaylistDraft::parse(&bad)), "items");
    }
    let too_many = PlaylistInput {
        items: vec![PlaylistItemInput::default(); MAX_ITEMS + 1],
        ..ok.clone()
    };
    assert_eq!(field(PlaylistDraft::parse(&too_many)), "items");
    let no_name = PlaylistInput {
        name: " ".into(),
        ..ok
    };
    assert_eq!(field(PlaylistDraft::parse(&no_name)), "name");
}

fn emergency(id: i64, region: &str, starts: &str, until: Option<&str>) -> Emergency {
    Emergency {
        id: EmergencyId(id),
        region: code(region),
        resource: ResourceId::new(id),
        resource_title: String::new(),
        starts_at: at(starts),
        until: until.map(at),
        created_by: UserId(1),
        cancelled_at: None,
    }
}

#[test]
fn the_newest_active_override_of_a_containing_region_wins() {
    let now = at("2026-12-07T10:00:00Z");
    let mut cancelled = emergency(4, "511623", "2026-12-07T09:59:00Z", None);
    cancelled.cancelled_at = Some(at("2026-12-07T09:59:30Z"));
    let all = vec![
        emergency(1, "510000", "2026-12-07T09:00:00Z", None),
        emergency(
            2,
            "511623",
            "2026-12-07T09:30:00Z",
            Some("2026-12-07T09:45:00Z"),
        ),
        emergency(3, "511602", "2026-12-07T09:50:00Z", None),
        cancelled,
    ];
    let got = emergency_for(code("511623"), &all, now).map(|e| e.id.0);
    assert_eq!(got, Some(1));
    let later = emergency(
        5,
        "511600",
        "2026-12-07T09:55:00Z",
        Some("2026-12-07T11:00:00Z"),
    );
    let all = [all, vec![later]].concat();
    assert_eq!(
        emergency_for(code("511623"), &all, now).map(|e| e.id.0),
        Some(5)
    );
    assert_eq!(emergency_for(code("110101"), &all, now), None);
}

#[test]
fn emergency_end_must_be_later_than_now() {
    let now = at("2026-12-07T10:00:00Z");
    let input = |until: &str| EmergencyInput {
        region: "511623".into(),
        resource: 9,
        until: Some(until.into()),
    };
    assert_eq!(
        field(EmergencyDraft::parse(&input("2026-12-07 17:00"), now)),
        "until"
    );
    let ok =
        EmergencyDraft::parse(&input("2026-12-07 19:00"), now).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ok.until, Some(at("2026-12-07T11:00:00Z")));
    let forever = EmergencyDraft::parse(&input(""), now).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(forever.until, None);
    let none = EmergencyInput {
        resource: 0,
        ..input("")
    };
    assert_eq!(field(EmergencyDraft::parse(&none, now)), "resource");
}

#[test]
fn plays_are_checked_and_dated_in_beijing() {
    let now = at("2026-12-07T17:00:00Z");
    let input = |id: &str, started: &str, seconds: f64| PlayInput {
        id: id.into(),
        resource: 4,
        started_at: started.into(),
        seconds,
    };
    let p = Play::parse(&input("0b7c2a9e-1111", "2026-12-07T16:10:00Z", 12.345), now)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.millis, 12_345);
    assert_eq!(
        p.day,
        NaiveDate::from_ymd_opt(2026, 12, 8).unwrap_or_default()
    );
    for bad in [
        input("short", "2026-12-07T16:10:00Z", 1.0),
        input("has space 123", "2026-12-07T16:10:00Z", 1.0),
        input("0b7c2a9e-1111", "2026-12-07T17:10:00Z", 1.0),
        input("0b7c2a9e-1111", "2026-10-01T00:00:00Z", 1.0),
        input("0b7c2a9e-1111", "yesterday", 1.0),
        input("0b7c2a9e-1111", "2026-12-07T16:10:00Z", f64::NAN),
        input("0b7c2a9e-1111", "2026-12-07T16:10:00Z", -1.0),
    ] {
        assert_eq!(field(Play::parse(&bad, now)), "plays", "{bad:?}");
    }
}

#[test]
fn screens_are_managed_by_their_region_and_operator() {
    let region = code("511623");
    let admin = Actor {
        user_id: UserId(1),
        grants: vec![Grant::RegionAdmin(code("511600"))],
    };
    let operator = Actor {
        user_id: UserId(2),
        grants: vec![Grant::OrgAdmin(OrgId(5))],
    };
    let other = Actor {
        user_id: UserId(3),
        grants: vec![Grant::RegionAdmin(code("511602"))],
    };
    assert!(manages(&admin, region, None));
    assert!(manages(&operator, region, Some(OrgId(5))));
    assert!(!manages(&operator, region, None));
    assert!(!manages(&other, region, Some(OrgId(5))));
    let e = Estation {
        id: EstationId(1),
        name: "村口大屏".into(),
        place: "村委会广场".into(),
        region,
        operator: None,
        operator_name: None,
        has_token: true,
        registered_by: UserId(1),
        registered_at: at("2026-12-01T00:00:00Z"),
        last_seen_at: Some(at("2026-12-07T09:59:00Z")),
        now_playing: None,
        now_playing_title: None,
    };
    assert!(e.is_online(at("2026-12-07T10:00:00Z")));
    assert!(!e.is_online(at("2026-12-07T10:01:00Z")));
    assert_eq!(
        region_chain(region),
        vec![region, code("511600"), code("510000")]
    );
}
