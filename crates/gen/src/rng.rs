//! A small deterministic PRNG (SplitMix64), so generated data never changes with a
//! dependency's version.

/// SplitMix64 (Steele, Lea, Flood 2014): 64 bits of state, passes BigCrush, and is fast.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        let mut r = Rng(seed ^ 0x6A09_E667_F3BC_C909);
        r.next_u64();
        r
    }

    /// A generator for one named part (e.g. a county), independent of every other part.
    pub(crate) fn for_part(seed: u64, part: &str) -> Rng {
        // FNV-1a over the part's name, then mixed with the seed.
        let mut h: u64 = 0xCBF2_9CE4_8422_2325;
        for b in part.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01B3);
        }
        Rng::new(seed.rotate_left(17) ^ h)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub(crate) fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in [0, n); 0 when n is 0.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform index into a slice of length n (n > 0).
    pub(crate) fn index(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }

    /// Uniform in [lo, hi], both included.
    pub(crate) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    pub(crate) fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.index(xs.len())]
    }

    /// The index of a weight, picked with the odds the weights give.
    pub(crate) fn weighted_index(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut r = self.below(u64::from(total)) as u32;
        let mut i = 0;
        while r >= weights[i] {
            r -= weights[i];
            i += 1;
        }
        i
    }

    /// Picks from `(item, weight)` pairs.
    pub(crate) fn weighted<'a, T>(&mut self, xs: &'a [(T, u32)]) -> &'a T {
        let total: u32 = xs.iter().map(|(_, w)| *w).sum();
        let mut r = self.below(u64::from(total)) as u32;
        for (x, w) in xs {
            if r < *w {
                return x;
            }
            r -= w;
        }
        &xs[xs.len() - 1].0
    }

    /// Triangular distribution on [lo, hi] with its peak at `mode`, rounded.
    pub(crate) fn tri(&mut self, lo: f64, mode: f64, hi: f64) -> i64 {
        let u = self.f64();
        let c = (mode - lo) / (hi - lo);
        let x = if u < c {
            lo + ((hi - lo) * (mode - lo) * u).sqrt()
        } else {
            hi - ((hi - lo) * (hi - mode) * (1.0 - u)).sqrt()
        };
        x.round() as i64
    }

    /// Rounds `x` up or down at random so the expectation is `x`.
    pub(crate) fn round(&mut self, x: f64) -> i64 {
        let f = x.floor();
        f as i64 + i64::from(self.f64() < x - f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_sequence_never_changes() {
        let mut r = Rng::new(42);
        let a: Vec<u64> = (0..3).map(|_| r.next_u64()).collect();
        let mut r = Rng::new(42);
        let b: Vec<u64> = (0..3).map(|_| r.next_u64()).collect();
        assert_eq!(a, b);
        assert_ne!(Rng::new(1).next_u64(), Rng::new(2).next_u64());
    }

    #[test]
    fn ranges_hold() {
        let mut r = Rng::new(7);
        for _ in 0..10_000 {
            let x = r.range(3, 9);
            assert!((3..=9).contains(&x));
            let t = r.tri(8.0, 20.0, 45.0);
            assert!((8..=45).contains(&t));
            assert!(r.f64() < 1.0);
        }
        let mean = (0..100_000).map(|_| r.round(2.3)).sum::<i64>() as f64 / 100_000.0;
        assert!((mean - 2.3).abs() < 0.02);
    }
}
