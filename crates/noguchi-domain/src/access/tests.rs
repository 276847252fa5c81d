//! The policy's rules, one test per decision.

use super::*;

fn user(org: &str, roles: &[Role], admin: bool) -> Principal {
    Principal {
        user_id: "u".into(),
        name: "n".into(),
        email: "e@example.jp".into(),
        organisation_id: org.into(),
        organisation_name: org.into(),
        admin,
        programmes: vec![ProgrammeRoles {
            programme_id: "p".into(),
            roles: roles.to_vec(),
            secretariat_second_factor: false,
        }],
        must_change_password: false,
        second_factor: false,
    }
}

#[test]
fn secretariat_keeps_the_directory() {
    let city = user("city", &[Role::Secretariat, Role::Attraction], false);
    let hospital = user("hospital", &[Role::NeedsProvider], false);
    let firm = user("firm", &[], false);
    assert!(create_organisation(&city).is_ok());
    assert!(create_organisation(&hospital).is_err());
    assert!(create_organisation(&firm).is_err());
    assert!(edit_organisation(&city, "firm").is_ok());
    assert!(edit_organisation(&firm, "firm").is_ok(), "own profile");
    assert!(edit_organisation(&firm, "hospital").is_err());
    assert!(delete_organisation(&firm).is_err());
    assert!(view_audit(&city).is_ok());
    assert!(view_audit(&hospital).is_err());
}

#[test]
fn people_and_contacts() {
    let firm = user("firm", &[], false);
    assert!(edit_person(&firm, Some("firm")).is_ok());
    assert!(edit_person(&firm, Some("other")).is_err());
    assert!(edit_person(&firm, None).is_err());
    let own = edit_person(&firm, Some("firm")).unwrap();
    assert!(own.covers(Some("firm")));
    assert!(
        !own.covers(Some("other")),
        "a grant for one's own organisation stays there"
    );
    assert!(!own.covers(None));
    assert!(may_see_contact(&firm, Some("firm")));
    assert!(!may_see_contact(&firm, Some("other")));
}

#[test]
fn a_second_factor_is_required_of_administrators_and_where_the_programme_says_so() {
    let mut city = user("city", &[Role::Secretariat], false);
    assert!(!city.second_factor_required());
    city.programmes[0].secretariat_second_factor = true;
    assert!(city.must_set_up_second_factor());
    city.second_factor = true;
    assert!(!city.must_set_up_second_factor());
    let mut firm = user("firm", &[], false);
    firm.programmes[0].secretariat_second_factor = true;
    assert!(
        !firm.second_factor_required(),
        "only the secretariat's accounts"
    );
    assert!(
        user("x", &[], true).second_factor_required(),
        "administrators"
    );
}

#[test]
fn only_admins_manage_users() {
    let city = user("city", &[Role::Secretariat], false);
    let admin = user("city", &[], true);
    assert!(manage_users(&city).is_err());
    assert!(manage_users(&admin).is_ok());
    assert!(admin.is_secretariat());
}

#[test]
fn route_needs() {
    let firm = user("firm", &[], false);
    assert_eq!(Need::SignedIn.admits(None), Err(Refusal::SignInRequired));
    assert_eq!(Need::Public.admits(None), Ok(()));
    assert_eq!(
        Need::Secretariat.admits(Some(&firm)),
        Err(Refusal::Forbidden)
    );
    assert_eq!(route_rule("GET", "/nowhere"), None);
    assert_eq!(
        route_rule("DELETE", "/api/v1/organisations/{id}"),
        Some(Need::Secretariat)
    );
}

#[test]
fn route_table_has_no_duplicates() {
    for (i, a) in ROUTES.iter().enumerate() {
        for b in &ROUTES[i + 1..] {
            assert!(
                !(a.method == b.method && a.path == b.path),
                "{} {}",
                a.method,
                a.path
            );
        }
    }
}

#[test]
fn grants_are_bound_to_what_they_were_given_for() {
    let hospital = user("hospital", &[Role::NeedsProvider], false);
    let city = user("city", &[Role::Secretariat], false);
    let own = curate_need(&hospital, "p", "hospital").unwrap();
    assert!(own.covers_programme("p") && !own.covers_programme("q"));
    assert!(own.covers_any(&["hospital".into()]));
    assert!(
        !own.covers_any(&["clinic".into()]),
        "a submitter's grant does not reach another's need"
    );
    assert!(curate_need(&hospital, "p", "clinic").is_err());
    assert!(
        curate_need(&city, "p", "clinic")
            .unwrap()
            .covers_any(&["clinic".into()])
    );
    let supporter = user("centre", &[], false);
    let case_grant = work_on_entry_case(&supporter, "p", &["centre".into()]).unwrap();
    assert!(
        !case_grant.covers_any(&["other".into()]),
        "another case's supporters"
    );
    assert!(
        record_nda(&hospital, "p").is_err(),
        "recording an NDA is not curating"
    );
}
