//! Given/when/then tests of the account events: API tokens only for system
//! accounts and only from admins, revocation, password reset by an admin and
//! a password set only by its owner.

use super::*;

fn switchboard() -> OfficerEvent {
    OfficerEvent::OfficerRegistered {
        at: at(2025, 8, 1),
        full_name: "Tổng đài 111 (máy chủ)".to_string(),
        role: Role::System,
        unit: Unit::National,
        active_from: d(2025, 8, 1),
    }
}

fn when() -> DateTime<Utc> {
    at(2026, 1, 10)
}

fn issue(by: Actor, token_id: &str, days: i64) -> OfficerCommand {
    cmd(
        by,
        when(),
        OfficerAction::IssueApiToken(ApiTokenIssue {
            token_id: token_id.to_string(),
            label: "Tổng đài 111".to_string(),
            expires_at: when() + chrono::Duration::days(days),
        }),
    )
}

fn issued(token_id: &str) -> OfficerEvent {
    OfficerEvent::ApiTokenIssued {
        at: when(),
        token_id: token_id.to_string(),
        label: "Tổng đài 111".to_string(),
        expires_at: when() + chrono::Duration::days(90),
    }
}

fn revoke(by: Actor, token_id: &str) -> OfficerCommand {
    cmd(
        by,
        when(),
        OfficerAction::RevokeApiToken(ApiTokenRevocation {
            token_id: token_id.to_string(),
            reason: "Máy chủ thay mới".to_string(),
        }),
    )
}

fn set_password(by: Actor, officer_id: &str, how: PasswordHow) -> OfficerCommand {
    cmd(
        by,
        when(),
        OfficerAction::SetPassword(PasswordSetting {
            officer_id: officer_id.to_string(),
            how,
        }),
    )
}

#[test]
fn an_admin_issues_a_token_to_a_system_account() {
    Fx::with(())
        .given(vec![switchboard()])
        .when(issue(admin(), "00ff00ff00ff00ff", 90))
        .then_expect_events(vec![issued("00ff00ff00ff00ff")]);
}

#[test]
fn no_token_for_a_person() {
    for role in [Role::CommuneChairman, Role::CommuneWorker] {
        Fx::with(())
            .given(vec![registered(), changed(role, HOAN_KIEM, d(2025, 9, 1))])
            .when(issue(admin(), "00ff00ff00ff00ff", 90))
            .then_expect_error(OfficerError::TokenForPerson(role));
    }
    Fx::with(())
        .given(vec![registered()])
        .when(issue(admin(), "00ff00ff00ff00ff", 90))
        .then_expect_error(OfficerError::TokenForPerson(Role::CommuneWorker));
}

#[test]
fn only_an_admin_issues_or_revokes_tokens() {
    let worker = actor(Role::CommuneWorker, HOAN_KIEM);
    Fx::with(())
        .given(vec![switchboard()])
        .when(issue(worker.clone(), "00ff00ff00ff00ff", 90))
        .then_expect_error(OfficerError::NotAuthorised {
            role: Role::CommuneWorker,
            action: "issue an API token",
        });
    Fx::with(())
        .given(vec![switchboard(), issued("00ff00ff00ff00ff")])
        .when(revoke(worker, "00ff00ff00ff00ff"))
        .then_expect_error(OfficerError::NotAuthorised {
            role: Role::CommuneWorker,
            action: "revoke an API token",
        });
}

#[test]
fn a_token_expires_within_a_year_and_its_id_is_new() {
    Fx::with(())
        .given(vec![switchboard()])
        .when(issue(admin(), "00ff00ff00ff00ff", 366))
        .then_expect_error(OfficerError::TokenExpiry);
    Fx::with(())
        .given(vec![switchboard()])
        .when(issue(admin(), "00ff00ff00ff00ff", 0))
        .then_expect_error(OfficerError::TokenExpiry);
    Fx::with(())
        .given(vec![switchboard(), issued("00ff00ff00ff00ff")])
        .when(issue(admin(), "00ff00ff00ff00ff", 90))
        .then_expect_error(OfficerError::TokenIdTaken("00ff00ff00ff00ff".into()));
}

#[test]
fn a_token_is_revoked_once() {
    let revoked = OfficerEvent::ApiTokenRevoked {
        at: when(),
        token_id: "00ff00ff00ff00ff".to_string(),
        reason: "Máy chủ thay mới".to_string(),
    };
    Fx::with(())
        .given(vec![switchboard(), issued("00ff00ff00ff00ff")])
        .when(revoke(admin(), "00ff00ff00ff00ff"))
        .then_expect_events(vec![revoked.clone()]);
    Fx::with(())
        .given(vec![switchboard(), issued("00ff00ff00ff00ff"), revoked])
        .when(revoke(admin(), "00ff00ff00ff00ff"))
        .then_expect_error(OfficerError::TokenRevoked("00ff00ff00ff00ff".into()));
    Fx::with(())
        .given(vec![switchboard()])
        .when(revoke(admin(), "1111111111111111"))
        .then_expect_error(OfficerError::UnknownToken("1111111111111111".into()));
}

#[test]
fn an_admin_resets_a_password_and_only_the_owner_sets_one() {
    let reset = cmd(
        admin(),
        when(),
        OfficerAction::ResetPassword(PasswordReset {
            reason: "Quên mật khẩu".to_string(),
        }),
    );
    Fx::with(())
        .given(vec![registered()])
        .when(reset)
        .then_expect_events(vec![OfficerEvent::PasswordReset {
            at: when(),
            reason: "Quên mật khẩu".to_string(),
        }]);
    // The admin cannot set the password of the officer (`commune_worker-1`).
    Fx::with(())
        .given(vec![registered()])
        .when(set_password(
            admin(),
            "commune_worker-1",
            PasswordHow::Activated,
        ))
        .then_expect_error(OfficerError::NotYourPassword);
    let me = actor(Role::CommuneWorker, HOAN_KIEM);
    Fx::with(())
        .given(vec![registered()])
        .when(set_password(me, "commune_worker-1", PasswordHow::Activated))
        .then_expect_events(vec![OfficerEvent::PasswordSet {
            at: when(),
            how: PasswordHow::Activated,
        }]);
}

#[test]
fn a_system_account_has_no_password() {
    let system = Actor {
        officer_id: "tong-dai".into(),
        role: Role::System,
        unit: Unit::National,
    };
    Fx::with(())
        .given(vec![switchboard()])
        .when(set_password(system, "tong-dai", PasswordHow::Changed))
        .then_expect_error(OfficerError::SystemHasNoPassword);
    Fx::with(())
        .given(vec![switchboard()])
        .when(cmd(
            admin(),
            when(),
            OfficerAction::ResetPassword(PasswordReset {
                reason: "x".to_string(),
            }),
        ))
        .then_expect_error(OfficerError::SystemHasNoPassword);
}
