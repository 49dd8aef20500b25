//! Docker's generated container names (`focused_turing`, `zen_wozniak3`).
//!
//! Owns the adjective and surname lists and the draw over them, exactly as moby's
//! `pkg/namesgenerator` (frozen since 2022, unchanged in Docker 28). Uses nothing outside
//! `crate::engine` and the caller's random generator; knows nothing of containers.

use rand::Rng;

/// Left half of a name: the adjectives, in moby's order.
pub const LEFT: [&str; 108] = [
    "admiring",
    "adoring",
    "affectionate",
    "agitated",
    "amazing",
    "angry",
    "awesome",
    "beautiful",
    "blissful",
    "bold",
    "boring",
    "brave",
    "busy",
    "charming",
    "clever",
    "cool",
    "compassionate",
    "competent",
    "condescending",
    "confident",
    "cranky",
    "crazy",
    "dazzling",
    "determined",
    "distracted",
    "dreamy",
    "eager",
    "ecstatic",
    "elastic",
    "elated",
    "elegant",
    "eloquent",
    "epic",
    "exciting",
    "fervent",
    "festive",
    "flamboyant",
    "focused",
    "friendly",
    "frosty",
    "funny",
    "gallant",
    "gifted",
    "goofy",
    "gracious",
    "great",
    "happy",
    "hardcore",
    "heuristic",
    "hopeful",
    "hungry",
    "infallible",
    "inspiring",
    "intelligent",
    "interesting",
    "jolly",
    "jovial",
    "keen",
    "kind",
    "laughing",
    "loving",
    "lucid",
    "magical",
    "mystifying",
    "modest",
    "musing",
    "naughty",
    "nervous",
    "nice",
    "nifty",
    "nostalgic",
    "objective",
    "optimistic",
    "peaceful",
    "pedantic",
    "pensive",
    "practical",
    "priceless",
    "quirky",
    "quizzical",
    "recursing",
    "relaxed",
    "reverent",
    "romantic",
    "sad",
    "serene",
    "sharp",
    "silly",
    "sleepy",
    "stoic",
    "strange",
    "stupefied",
    "suspicious",
    "sweet",
    "tender",
    "thirsty",
    "trusting",
    "unruffled",
    "upbeat",
    "vibrant",
    "vigilant",
    "vigorous",
    "wizardly",
    "wonderful",
    "xenodochial",
    "youthful",
    "zealous",
    "zen",
];

/// Right half of a name: notable scientists and hackers, in moby's order.
pub const RIGHT: [&str; 236] = [
    "agnesi",
    "albattani",
    "allen",
    "almeida",
    "antonelli",
    "archimedes",
    "ardinghelli",
    "aryabhata",
    "austin",
    "babbage",
    "banach",
    "banzai",
    "bardeen",
    "bartik",
    "bassi",
    "beaver",
    "bell",
    "benz",
    "bhabha",
    "bhaskara",
    "black",
    "blackburn",
    "blackwell",
    "bohr",
    "booth",
    "borg",
    "bose",
    "bouman",
    "boyd",
    "brahmagupta",
    "brattain",
    "brown",
    "buck",
    "burnell",
    "cannon",
    "carson",
    "cartwright",
    "carver",
    "cerf",
    "chandrasekhar",
    "chaplygin",
    "chatelet",
    "chatterjee",
    "chaum",
    "chebyshev",
    "clarke",
    "cohen",
    "colden",
    "cori",
    "cray",
    "curran",
    "curie",
    "darwin",
    "davinci",
    "dewdney",
    "dhawan",
    "diffie",
    "dijkstra",
    "dirac",
    "driscoll",
    "dubinsky",
    "easley",
    "edison",
    "einstein",
    "elbakyan",
    "elgamal",
    "elion",
    "ellis",
    "engelbart",
    "euclid",
    "euler",
    "faraday",
    "feistel",
    "fermat",
    "fermi",
    "feynman",
    "franklin",
    "gagarin",
    "galileo",
    "galois",
    "ganguly",
    "gates",
    "gauss",
    "germain",
    "goldberg",
    "goldstine",
    "goldwasser",
    "golick",
    "goodall",
    "gould",
    "greider",
    "grothendieck",
    "haibt",
    "hamilton",
    "haslett",
    "hawking",
    "hellman",
    "heisenberg",
    "hermann",
    "herschel",
    "hertz",
    "heyrovsky",
    "hodgkin",
    "hofstadter",
    "hoover",
    "hopper",
    "hugle",
    "hypatia",
    "ishizaka",
    "jackson",
    "jang",
    "jemison",
    "jennings",
    "jepsen",
    "johnson",
    "joliot",
    "jones",
    "kalam",
    "kapitsa",
    "kare",
    "keldysh",
    "keller",
    "kepler",
    "khayyam",
    "khorana",
    "kilby",
    "kirch",
    "knuth",
    "kowalevski",
    "lalande",
    "lamarr",
    "lamport",
    "leakey",
    "leavitt",
    "lederberg",
    "lehmann",
    "lewin",
    "lichterman",
    "liskov",
    "lovelace",
    "lumiere",
    "mahavira",
    "margulis",
    "matsumoto",
    "maxwell",
    "mayer",
    "mccarthy",
    "mcclintock",
    "mclaren",
    "mclean",
    "mcnulty",
    "mendel",
    "mendeleev",
    "meitner",
    "meninsky",
    "merkle",
    "mestorf",
    "mirzakhani",
    "montalcini",
    "moore",
    "morse",
    "murdock",
    "moser",
    "napier",
    "nash",
    "neumann",
    "newton",
    "nightingale",
    "nobel",
    "noether",
    "northcutt",
    "noyce",
    "panini",
    "pare",
    "pascal",
    "pasteur",
    "payne",
    "perlman",
    "pike",
    "poincare",
    "poitras",
    "proskuriakova",
    "ptolemy",
    "raman",
    "ramanujan",
    "ride",
    "ritchie",
    "rhodes",
    "robinson",
    "roentgen",
    "rosalind",
    "rubin",
    "saha",
    "sammet",
    "sanderson",
    "satoshi",
    "shamir",
    "shannon",
    "shaw",
    "shirley",
    "shockley",
    "shtern",
    "sinoussi",
    "snyder",
    "solomon",
    "spence",
    "stonebraker",
    "sutherland",
    "swanson",
    "swartz",
    "swirles",
    "taussig",
    "tesla",
    "tharp",
    "thompson",
    "torvalds",
    "tu",
    "turing",
    "varahamihira",
    "vaughan",
    "villani",
    "visvesvaraya",
    "volhard",
    "wescoff",
    "wilbur",
    "wiles",
    "williams",
    "williamson",
    "wilson",
    "wing",
    "wozniak",
    "wright",
    "wu",
    "yalow",
    "yonath",
    "zhukovsky",
];

/// A random `adjective_surname` name, as moby's `GetRandomName(retry)` draws it: the
/// adjective first, then the surname, drawing again for `boring_wozniak` (Steve Wozniak is
/// not boring); when `retry > 0`, one more draw appends a digit 0-9.
pub fn generate<R: Rng + ?Sized>(rng: &mut R, retry: u32) -> String {
    let mut name = loop {
        let left = LEFT[rng.random_range(0..LEFT.len())];
        let right = RIGHT[rng.random_range(0..RIGHT.len())];
        if !(left == "boring" && right == "wozniak") {
            break format!("{left}_{right}");
        }
    };
    if retry > 0 {
        let digit = rng.random_range(0..10u32);
        name.push_str(&digit.to_string());
    }
    name
}

/// Whether `name` has the shape of a generated name: `adjective_surname` from the lists,
/// optionally followed by one digit.
pub fn is_generated(name: &str) -> bool {
    let base = match name.as_bytes().last() {
        Some(b) if b.is_ascii_digit() => &name[..name.len() - 1],
        _ => name,
    };
    match base.split_once('_') {
        Some((l, r)) => LEFT.contains(&l) && RIGHT.contains(&r) && base != "boring_wozniak",
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn list_sizes_and_order_match_moby() {
        assert_eq!(LEFT.len(), 108);
        assert_eq!(RIGHT.len(), 236);
        assert_eq!(LEFT[0], "admiring");
        assert_eq!(LEFT[107], "zen");
        assert_eq!(RIGHT[0], "agnesi");
        assert_eq!(RIGHT[235], "zhukovsky");
        for list in [&LEFT[..], &RIGHT[..]] {
            let mut seen = std::collections::HashSet::new();
            for w in list {
                assert!(seen.insert(*w), "duplicate {w}");
                assert!(w.bytes().all(|b| b.is_ascii_lowercase()), "{w}");
            }
        }
    }

    #[test]
    fn deterministic_for_a_seed() {
        let a = generate(&mut ChaCha8Rng::seed_from_u64(7), 0);
        let b = generate(&mut ChaCha8Rng::seed_from_u64(7), 0);
        assert_eq!(a, b);
        assert!(is_generated(&a));
    }

    #[test]
    fn retry_appends_one_digit() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for _ in 0..200 {
            let n = generate(&mut rng, 1);
            assert!(n.as_bytes().last().unwrap().is_ascii_digit());
            assert!(is_generated(&n));
        }
    }

    #[test]
    fn never_boring_wozniak() {
        let mut rng = ChaCha8Rng::seed_from_u64(42);
        for _ in 0..50_000 {
            assert_ne!(generate(&mut rng, 0), "boring_wozniak");
        }
        assert!(!is_generated("boring_wozniak"));
        assert!(is_generated("focused_turing"));
        assert!(!is_generated("focused"));
        assert!(!is_generated("nosuch_turing"));
    }
}
