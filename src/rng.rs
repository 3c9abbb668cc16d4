//! The random generators of the library, one family: SplitMix64 (Steele,
//! Lea and Flood), whose whole state is one `u64`, for model initialisation
//! and anything a checkpoint must resume exactly; and xoshiro256++ seeded
//! through SplitMix64, for the co-occurrence shuffle. Both are written here so
//! a seed gives the same stream whatever the version of any crate.
//!
//! ```
//! use glove_wgpu::rng::SplitMix64;
//! let mut r = SplitMix64::new(42);
//! assert_ne!(r.next_u64(), r.next_u64());
//! ```

/// A tiny seeded generator (SplitMix64): its whole state is one `u64`, so a
/// checkpoint stores it exactly, and its stream never changes with a crate update.
///
/// ```
/// use glove_wgpu::rng::SplitMix64;
/// let mut a = SplitMix64::new(7);
/// let mut b = SplitMix64::new(7);
/// assert_eq!(a.next_u64(), b.next_u64());
/// let u = a.next_f32();
/// assert!((0.0..1.0).contains(&u));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SplitMix64 {
    /// The state; `SplitMix64 { state }` resumes a stream exactly.
    pub state: u64,
}

impl SplitMix64 {
    /// A generator seeded with `seed`.
    ///
    /// ```
    /// use glove_wgpu::rng::SplitMix64;
    /// let r = SplitMix64::new(3);
    /// assert_eq!(r.state, 3); // the seed is the state
    /// ```
    pub fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    /// The next 64 random bits.
    ///
    /// ```
    /// use glove_wgpu::rng::SplitMix64;
    /// let mut r = SplitMix64::new(0);
    /// assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF); // SplitMix64's first output for seed 0
    /// ```
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)` with 24 random bits.
    ///
    /// ```
    /// use glove_wgpu::rng::SplitMix64;
    /// let mut r = SplitMix64::new(9);
    /// assert!((0..1000).all(|_| (0.0..1.0).contains(&r.next_f32())));
    /// ```
    pub fn next_f32(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 * (1.0 / (1u64 << 24) as f32)
    }
}

/// xoshiro256++ (Blackman and Vigna), its four words of state seeded from a
/// [`SplitMix64`] stream: a long period and fast bits for shuffles.
/// `below(n)` draws uniformly in `0..n` without bias.
#[derive(Clone, Debug)]
pub(crate) struct Xoshiro256pp {
    s: [u64; 4],
}

impl Xoshiro256pp {
    /// A generator seeded with `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        let mut seeder = SplitMix64::new(seed);
        Xoshiro256pp {
            s: [
                seeder.next_u64(),
                seeder.next_u64(),
                seeder.next_u64(),
                seeder.next_u64(),
            ],
        }
    }

    /// The next 64 random bits.
    #[inline]
    pub(crate) fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let r = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        r
    }

    /// A uniform integer in `0..n` (Lemire's method, unbiased), `n > 0`.
    #[inline]
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        let mut m = self.next_u64() as u128 * n as u128;
        if (m as u64) < n {
            let t = n.wrapping_neg() % n;
            while (m as u64) < t {
                m = self.next_u64() as u128 * n as u128;
            }
        }
        (m >> 64) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The streams are part of the output: a seed must give the same
    /// initialisation and the same shuffle in every version.
    #[test]
    fn streams_are_pinned() {
        assert_eq!(SplitMix64::new(42).next_u64(), 0xbdd7_3226_2feb_6e95);
        let mut x = Xoshiro256pp::new(1);
        let first: Vec<u64> = (0..3).map(|_| x.next_u64()).collect();
        assert_eq!(
            first,
            [
                0xcfc5_d07f_6f03_c29b,
                0xbf42_4132_963f_e08d,
                0x19a3_7d57_57aa_f520
            ]
        );
        assert!((0..1000).all(|_| x.below(7) < 7));
    }
}
