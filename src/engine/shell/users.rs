//! Who a container's process runs as: `-u USER[:GROUP]` (or the image's `USER`) read
//! against the container's own `/etc/passwd` and `/etc/group`, as runc reads them.
//! Names must exist there; numbers need not.

use super::Vfs;

/// The process's user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessUser {
    pub uid: u32,
    pub gid: u32,
    /// `$HOME` when the environment does not set it: the passwd entry's, else `/`.
    pub home: String,
}

/// One line of `/etc/passwd` or `/etc/group`: name, id, and the fields after.
struct Entry {
    name: String,
    id: u32,
    rest: Vec<String>,
}

fn entries(fs: &dyn Vfs, path: &str) -> Vec<Entry> {
    let text = fs.read(path).unwrap_or_default();
    String::from_utf8_lossy(&text)
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split(':').collect();
            Some(Entry {
                name: fields.first()?.to_string(),
                id: fields.get(2)?.parse().ok()?,
                rest: fields[3..].iter().map(|f| f.to_string()).collect(),
            })
        })
        .collect()
}

/// Resolves `spec` (`""`, `guest`, `405`, `guest:users`, `1000:100`).
pub fn resolve(fs: &dyn Vfs, spec: &str) -> Result<ProcessUser, String> {
    let (user, group) = match spec.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (spec, None),
    };
    let passwd = entries(fs, "/etc/passwd");
    let by_number = user.parse::<u32>().ok();
    let entry = match by_number {
        Some(uid) => passwd.iter().find(|e| e.id == uid),
        None if user.is_empty() => passwd.iter().find(|e| e.id == 0),
        None => Some(passwd.iter().find(|e| e.name == user).ok_or_else(|| {
            format!("unable to find user {user}: no matching entries in passwd file")
        })?),
    };
    let uid = by_number.or(entry.map(|e| e.id)).unwrap_or(0);
    let mut gid = entry
        .and_then(|e| e.rest.first())
        .and_then(|g| g.parse().ok())
        .unwrap_or(0);
    let home = entry
        .and_then(|e| e.rest.get(2))
        .filter(|h| !h.is_empty())
        .cloned()
        .unwrap_or_else(|| "/".into());
    if let Some(group) = group.filter(|g| !g.is_empty()) {
        gid = match group.parse::<u32>() {
            Ok(n) => n,
            Err(_) => entries(fs, "/etc/group")
                .iter()
                .find(|e| e.name == group)
                .map(|e| e.id)
                .ok_or_else(|| {
                    format!("unable to find group {group}: no matching entries in group file")
                })?,
        };
    }
    Ok(ProcessUser { uid, gid, home })
}

/// The user's name, if `/etc/passwd` has one for `uid`.
pub fn user_name(fs: &dyn Vfs, uid: u32) -> Option<String> {
    entries(fs, "/etc/passwd")
        .into_iter()
        .find(|e| e.id == uid)
        .map(|e| e.name)
}

/// `id`'s groups: the primary group, then every group that lists the user as a member,
/// each as (gid, name if known).
pub fn groups_of(fs: &dyn Vfs, uid: u32, gid: u32) -> Vec<(u32, Option<String>)> {
    let groups = entries(fs, "/etc/group");
    let name_of = |id: u32| groups.iter().find(|g| g.id == id).map(|g| g.name.clone());
    let mut out = vec![(gid, name_of(gid))];
    if let Some(user) = user_name(fs, uid) {
        for g in &groups {
            let members = g.rest.first().map(String::as_str).unwrap_or("");
            if g.id != gid
                && members.split(',').any(|m| m == user)
                && !out.iter().any(|(id, _)| *id == g.id)
            {
                out.push((g.id, Some(g.name.clone())));
            }
        }
    }
    out
}
