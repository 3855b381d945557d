use super::*;
use crate::auth::TokenKind;
use crate::ids::{OrgId, TokenId, UserId};
use crate::permissions::Grant;
use crate::regions::RegionCode;

/// RFC 6238 appendix B's SHA-1 key.
const RFC_KEY: &[u8] = b"12345678901234567890";

fn at_secs(s: i64) -> Timestamp {
    Timestamp::from_micros(s * 1_000_000)
}

#[test]
fn codes_are_rfc_6238() {
    // Appendix B, SHA-1, the last six of the eight digits.
    for (secs, code) in [
        (59, "287082"),
        (1_111_111_109, "081804"),
        (1_234_567_890, "005924"),
        (2_000_000_000, "279037"),
    ] {
        let step = step_at(at_secs(secs));
        assert_eq!(code_for_step(RFC_KEY, step).expect("code"), code, "{secs}");
        assert_eq!(
            judge_code(RFC_KEY, code, at_secs(secs), None),
            CodeVerdict::Accepted { step }
        );
    }
}

#[test]
fn one_step_either_side_is_accepted_two_are_not() {
    let now = at_secs(1_700_000_000);
    let step = step_at(now);
    for (offset, accepted) in [(-2, false), (-1, true), (0, true), (1, true), (2, false)] {
        let code = code_for_step(RFC_KEY, step + offset).expect("code");
        let verdict = judge_code(RFC_KEY, &code, now, None);
        assert_eq!(
            verdict,
            if accepted {
                CodeVerdict::Accepted {
                    step: step + offset,
                }
            } else {
                CodeVerdict::Wrong
            },
            "offset {offset}"
        );
    }
    assert_eq!(
        judge_code(RFC_KEY, "12345", now, None),
        CodeVerdict::Wrong,
        "five digits"
    );
}

#[test]
fn a_used_step_is_refused() {
    let now = at_secs(1_700_000_000);
    let step = step_at(now);
    let code = code_for_step(RFC_KEY, step).expect("code");
    assert_eq!(
        judge_code(RFC_KEY, &code, now, Some(step)),
        CodeVerdict::Replayed
    );
    assert_eq!(
        judge_code(RFC_KEY, &code, now, Some(step + 1)),
        CodeVerdict::Replayed,
        "an older step than the last used"
    );
    assert_eq!(
        judge_code(RFC_KEY, &code, now, Some(step - 1)),
        CodeVerdict::Accepted { step }
    );
    // The next step's code still works right after.
    let next = code_for_step(RFC_KEY, step + 1).expect("code");
    assert_eq!(
        judge_code(RFC_KEY, &next, now, Some(step)),
        CodeVerdict::Accepted { step: step + 1 }
    );
}

#[test]
fn secrets_round_trip_through_base32_and_the_uri() {
    let secret = new_secret();
    assert_eq!(secret.len(), 20);
    assert_ne!(secret, new_secret());
    let text = secret_base32(&secret);
    assert_eq!(text.len(), 32);
    assert_eq!(secret_from_base32(&text).expect("base32"), secret);
    assert_eq!(
        secret_from_base32(&text.to_lowercase()).expect("any case"),
        secret
    );
    assert!(secret_from_base32("not base32!").is_err());
    let uri = otpauth_uri(&secret, "13800138000").expect("uri");
    assert!(
        uri.starts_with("otpauth://totp/Kejiyun:13800138000?"),
        "{uri}"
    );
    assert!(uri.contains(&format!("secret={text}")), "{uri}");
    assert!(uri.contains("issuer=Kejiyun"), "{uri}");
}

#[test]
fn recovery_codes_are_ten_distinct_and_match_once_each() {
    let codes = new_recovery_codes();
    assert_eq!(codes.len(), RECOVERY_CODES);
    let mut shown: Vec<&str> = codes.iter().map(|c| c.shown.as_str()).collect();
    shown.sort_unstable();
    shown.dedup();
    assert_eq!(shown.len(), RECOVERY_CODES);
    let mut stored: Vec<StoredRecoveryCode> = codes
        .iter()
        .enumerate()
        .map(|(i, c)| StoredRecoveryCode {
            id: i64::try_from(i).expect("small"),
            salt: c.salt.clone(),
            hash: c.hash.clone(),
        })
        .collect();
    let third = &codes[2].shown;
    assert_eq!(third.len(), 11);
    assert!(!codes[2].hash.contains(third.as_str()));
    let typed = third.to_uppercase().replace('-', " ");
    let EnteredCode::Recovery(canonical) = parse_entry(&typed).expect("parses") else {
        panic!("a recovery code");
    };
    assert_eq!(matching_recovery(&stored, &canonical), Some(2));
    // Used: the store no longer lists it, so it matches nothing.
    stored.retain(|s| s.id != 2);
    assert_eq!(matching_recovery(&stored, &canonical), None);
    assert_eq!(
        matching_recovery(&stored, "aaaaabbbbb"),
        None,
        "a made-up code"
    );
}

#[test]
fn entries_are_told_apart() {
    assert_eq!(
        parse_entry(" 123 456 ").expect("digits"),
        EnteredCode::Totp("123456".into())
    );
    assert!(parse_entry("12345").is_err());
    assert!(parse_entry("abcde-fghi0").is_err(), "0 is not a symbol");
    assert!(parse_totp("abcdef").is_err());
    assert_eq!(parse_totp("000 111").expect("digits"), "000111");
}

#[test]
fn challenges_live_five_minutes_and_five_wrong_codes() {
    let (secret, hash) = new_challenge();
    assert!(secret.starts_with("kjc_"));
    assert_eq!(crate::auth::hash_token(&secret), hash);
    let now = at_secs(1_000);
    let c = StoredChallenge {
        id: 1,
        user: UserId(1),
        login_key: "13800138000".into(),
        expires_at: now.plus_seconds(CHALLENGE_TTL_SECS),
        wrong: 0,
        used: false,
    };
    assert!(c.live(now));
    assert!(!c.live(now.plus_seconds(CHALLENGE_TTL_SECS)));
    assert!(c.live(now.plus_seconds(CHALLENGE_TTL_SECS - 1)));
    assert!(
        StoredChallenge {
            wrong: 4,
            ..c.clone()
        }
        .live(now)
    );
    assert!(
        !StoredChallenge {
            wrong: 5,
            ..c.clone()
        }
        .live(now)
    );
    assert!(!StoredChallenge { used: true, ..c }.live(now));
}

fn session(second_factor: bool) -> TokenInfo {
    TokenInfo {
        id: TokenId(1),
        user_id: UserId(1),
        kind: TokenKind::Session,
        name: "session".into(),
        created_at: at_secs(0),
        expires_at: None,
        last_used_at: None,
        second_factor,
        needs_second_factor: false,
    }
}

#[test]
fn restrict_drops_admin_grants_only_when_required_and_not_passed() {
    let region = RegionCode::parse("511623").expect("code");
    let grants = vec![
        Grant::SystemAdmin,
        Grant::RegionAdmin(region),
        Grant::OrgAdmin(OrgId(3)),
        Grant::TechWorker,
    ];
    let admin = Actor {
        user_id: UserId(1),
        grants: grants.clone(),
    };
    let mut a = admin.clone();
    assert!(restrict(
        &mut a,
        &session(false),
        SecondFactorPolicy::Required
    ));
    assert!(!a.is_admin());
    assert_eq!(a.grants, vec![Grant::OrgAdmin(OrgId(3)), Grant::TechWorker]);

    for (token, policy) in [
        (session(true), SecondFactorPolicy::Required),
        (session(false), SecondFactorPolicy::Optional),
    ] {
        let mut a = admin.clone();
        assert!(!restrict(&mut a, &token, policy));
        assert_eq!(a.grants, grants, "{policy:?}");
    }

    let mut user = Actor {
        user_id: UserId(2),
        grants: vec![Grant::TechWorker],
    };
    assert!(
        !restrict(&mut user, &session(false), SecondFactorPolicy::Required),
        "nothing to withhold from an ordinary user"
    );
    assert_eq!(user.grants, vec![Grant::TechWorker]);
}

#[test]
fn the_policy_reads_from_config() {
    assert_eq!(
        SecondFactorPolicy::parse("required").expect("ok"),
        SecondFactorPolicy::Required
    );
    assert_eq!(
        SecondFactorPolicy::parse(" optional ").expect("ok"),
        SecondFactorPolicy::Optional
    );
    assert!(SecondFactorPolicy::parse("sometimes").is_err());
    assert_eq!(SecondFactorPolicy::default(), SecondFactorPolicy::Required);
}
