//! Impersonation as kube-apiserver's filter does it: `Impersonate-User`, `Impersonate-Group` (repeatable),
//! `Impersonate-Uid` and `Impersonate-Extra-<key>` turn a caller allowed to impersonate into another identity,
//! which RBAC then authorizes. The admin caller may impersonate anyone; the read-only caller no one.

use super::guard::Caller;
use crate::error::ApiError;
use crate::rbac::{Attributes, UserInfo, forbidden};
use axum::http::HeaderMap;

const USER: &str = "impersonate-user";
const GROUP: &str = "impersonate-group";
const UID: &str = "impersonate-uid";
const EXTRA_PREFIX: &str = "impersonate-extra-";
const SERVICE_ACCOUNT_PREFIX: &str = "system:serviceaccount:";
const ANONYMOUS: &str = "system:anonymous";
const AUTHENTICATED: &str = "system:authenticated";
const UNAUTHENTICATED: &str = "system:unauthenticated";

/// Who a request acts as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// The sandbox's own callers, decided by their token alone.
    Caller(Caller),
    /// The identity an admin caller impersonates, decided by RBAC.
    Impersonated(UserInfo),
}

impl Identity {
    pub fn is_admin(&self) -> bool {
        *self == Identity::Caller(Caller::Admin)
    }
}

/// The user name of a caller, as the real authorizer's messages name it.
pub fn caller_name(caller: Caller) -> &'static str {
    match caller {
        Caller::Admin => "sandbox:admin",
        Caller::ReadOnly => "sandbox:read-only",
    }
}

/// `system:serviceaccount:<namespace>:<name>` split, when the user names a ServiceAccount.
pub fn service_account_of(user: &str) -> Option<(&str, &str)> {
    let (namespace, name) = user.strip_prefix(SERVICE_ACCOUNT_PREFIX)?.split_once(':')?;
    (!namespace.is_empty() && !name.is_empty() && !name.contains(':')).then_some((namespace, name))
}

/// The identity the request acts as: the caller itself without impersonation headers, or the impersonated user
/// when the caller may impersonate it (a 403 worded as kube-apiserver words it otherwise).
pub fn identity(headers: &HeaderMap, caller: Caller, path: &str) -> Result<Identity, ApiError> {
    let text = |value: &axum::http::HeaderValue| value.to_str().unwrap_or_default().to_string();
    let user = headers.get(USER).map(text).filter(|u| !u.is_empty());
    let groups: Vec<String> = headers.get_all(GROUP).iter().map(text).collect();
    let uid = headers.get(UID).map(text);
    let mut extra = std::collections::BTreeMap::<String, Vec<String>>::new();
    for (name, value) in headers {
        if let Some(key) = name.as_str().strip_prefix(EXTRA_PREFIX) {
            extra.entry(percent_decode(key)).or_default().push(text(value));
        }
    }
    let Some(user) = user else {
        if groups.is_empty() && uid.is_none() && extra.is_empty() {
            return Ok(Identity::Caller(caller));
        }
        return Err(ApiError::internal(format!(
            "Internal Server Error: \"{path}\": requested impersonation of groups, a uid or extra fields without \
             impersonating a user"
        )));
    };
    if caller != Caller::Admin {
        // The first impersonation the caller may not do is the one the message names: the user comes first.
        let request = match service_account_of(&user) {
            Some((namespace, name)) => Attributes::resource("impersonate", "", "serviceaccounts", namespace, name),
            None => Attributes::resource("impersonate", "", "users", "", &user),
        };
        return Err(forbidden(caller_name(caller), &request, ""));
    }
    let groups_given = !groups.is_empty();
    let mut groups = groups;
    if let Some((namespace, _)) = service_account_of(&user)
        && !groups_given
    {
        // A ServiceAccount's groups are a fixed mapping the server knows.
        groups = vec!["system:serviceaccounts".to_string(), format!("system:serviceaccounts:{namespace}")];
    }
    let implied = if user == ANONYMOUS { UNAUTHENTICATED } else { AUTHENTICATED };
    if !groups.iter().any(|g| g == implied || (user != ANONYMOUS && g == UNAUTHENTICATED)) {
        groups.push(implied.to_string());
    }
    Ok(Identity::Impersonated(UserInfo { name: user, uid: uid.unwrap_or_default(), groups, extra }))
}

/// Header names carry extra keys path-escaped (`Impersonate-Extra-acme.com%2Fproject`).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).expect("header"));
        }
        map
    }

    fn impersonated(pairs: &[(&'static str, &str)]) -> UserInfo {
        match identity(&headers(pairs), Caller::Admin, "/api") {
            Ok(Identity::Impersonated(user)) => user,
            other => panic!("expected an impersonated user, got {other:?}"),
        }
    }

    #[test]
    fn service_accounts_get_their_groups_and_users_get_authenticated() {
        let account = impersonated(&[(USER, "system:serviceaccount:team:deployer")]);
        assert_eq!(account.groups, ["system:serviceaccounts", "system:serviceaccounts:team", "system:authenticated"]);
        let jane = impersonated(&[
            (USER, "jane"),
            (GROUP, "devs"),
            (GROUP, "ops"),
            (UID, "42"),
            ("impersonate-extra-acme.com%2fproject", "a"),
            ("impersonate-extra-acme.com%2fproject", "b"),
        ]);
        assert_eq!(jane.groups, ["devs", "ops", "system:authenticated"]);
        assert_eq!(jane.uid, "42");
        assert_eq!(jane.extra["acme.com/project"], ["a", "b"]);
        assert_eq!(impersonated(&[(USER, ANONYMOUS)]).groups, [UNAUTHENTICATED]);
        // Explicit groups replace a ServiceAccount's own.
        let account = impersonated(&[(USER, "system:serviceaccount:team:deployer"), (GROUP, "x")]);
        assert_eq!(account.groups, ["x", "system:authenticated"]);
    }

    #[test]
    fn no_headers_keep_the_caller_and_the_read_only_caller_may_not_impersonate() {
        assert_eq!(identity(&HeaderMap::new(), Caller::ReadOnly, "/api"), Ok(Identity::Caller(Caller::ReadOnly)));
        let err = identity(&headers(&[(USER, "x")]), Caller::ReadOnly, "/api").expect_err("forbidden");
        assert_eq!(
            err.message,
            "users \"x\" is forbidden: User \"sandbox:read-only\" cannot impersonate resource \"users\" in API group \
             \"\" at the cluster scope"
        );
        let err = identity(&headers(&[(USER, "system:serviceaccount:team:bot")]), Caller::ReadOnly, "/api")
            .expect_err("forbidden");
        assert_eq!(
            err.message,
            "serviceaccounts \"bot\" is forbidden: User \"sandbox:read-only\" cannot impersonate resource \
             \"serviceaccounts\" in API group \"\" in the namespace \"team\""
        );
        let err = identity(&headers(&[(GROUP, "devs")]), Caller::Admin, "/api").expect_err("groups alone");
        assert_eq!(err.code, 500);
    }
}
