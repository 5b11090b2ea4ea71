//! Actors for the tests: a staff member and a natural person.

use zwfw_domain::admin::{AccountKind, Actor, Role};

pub fn staff(id: i64, dept: i64, roles: &[Role]) -> Actor {
    Actor {
        user_id: id,
        username: format!("u{id}"),
        display_name: format!("u{id}"),
        kind: AccountKind::Staff,
        department_id: Some(dept),
        roles: roles.to_vec(),
        unqualified: vec![],
    }
}

pub fn person(id: i64) -> Actor {
    Actor {
        user_id: id,
        username: format!("p{id}"),
        display_name: format!("p{id}"),
        kind: AccountKind::Person,
        department_id: None,
        roles: vec![],
        unqualified: vec![],
    }
}
