//! Placeholder (replaced by moby's generator).
use rand::Rng;
pub fn generate(rng: &mut rand_chacha::ChaCha8Rng, retry: u32) -> String {
    let n: u32 = rng.random_range(0..1000);
    if retry > 0 { format!("name_{n}{retry}") } else { format!("name_{n}") }
}
