//! int8 vectors: a quarter of the memory of f32, and an integer dot product. Symmetric, one
//! scale per vector: `x ≈ q × scale` with `scale = max|x| / 127`, so the largest component maps
//! to ±127 and every component is off by at most `scale / 2`.

/// Quantizes `v` to int8 and its scale. A zero (or empty) vector gives zeros and scale 0;
/// non-finite components count as 0.
pub fn quantize(v: &[f32]) -> (Vec<i8>, f32) {
    let finite = |x: f32| if x.is_finite() { x } else { 0.0 };
    let max = v.iter().map(|&x| finite(x).abs()).fold(0f32, f32::max);
    if max == 0.0 {
        return (vec![0; v.len()], 0.0);
    }
    let scale = max / 127.0;
    let q = v
        .iter()
        .map(|&x| {
            // |x / scale| ≤ 127 by construction; the clamp guards rounding at the edge.
            let r = (finite(x) / scale).round().clamp(-127.0, 127.0);
            r as i8
        })
        .collect();
    (q, scale)
}

/// The integer dot product of two quantized vectors (exact: 384 × 127² fits an i32 many
/// times over). Panics if the lengths differ.
pub fn dot_i8(a: &[i8], b: &[i8]) -> i32 {
    assert_eq!(a.len(), b.len(), "vectors of different lengths");
    a.iter()
        .zip(b)
        .map(|(&x, &y)| i32::from(x) * i32::from(y))
        .sum()
}

/// The dot product of two quantized vectors in the original units: for unit-norm embeddings,
/// their cosine (to within the quantization error).
pub fn cosine_i8(a: &[i8], a_scale: f32, b: &[i8], b_scale: f32) -> f32 {
    dot_i8(a, b) as f32 * a_scale * b_scale
}

/// The dot product of two f32 vectors (the cosine of two unit-norm embeddings). Panics if the
/// lengths differ.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len(), "vectors of different lengths");
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(seed: u32, n: usize) -> Vec<f32> {
        // A deterministic, irregular vector, normalised.
        let v: Vec<f32> = (0..n)
            .map(|i| ((i as f32 + 1.0) * (seed as f32 + 0.37)).sin())
            .collect();
        let norm = dot(&v, &v).sqrt();
        v.into_iter().map(|x| x / norm).collect()
    }

    #[test]
    fn largest_component_maps_to_127_and_the_error_is_half_a_step() {
        let v = [0.5, -1.0, 0.25, 0.0, 0.999];
        let (q, scale) = quantize(&v);
        assert_eq!(q[1], -127);
        assert_eq!(q[3], 0);
        assert!((scale - 1.0 / 127.0).abs() < 1e-9);
        for (x, &qi) in v.iter().zip(&q) {
            assert!(
                (x - f32::from(qi) * scale).abs() <= scale / 2.0 + 1e-7,
                "{x} {qi}"
            );
        }
        assert_eq!(q[4], 127);
    }

    #[test]
    fn zero_empty_and_non_finite_vectors() {
        assert_eq!(quantize(&[0.0, 0.0]), (vec![0, 0], 0.0));
        assert_eq!(quantize(&[]), (vec![], 0.0));
        let (q, scale) = quantize(&[f32::NAN, 2.0, f32::INFINITY]);
        assert_eq!(q, vec![0, 127, 0]);
        assert!(scale > 0.0);
        assert_eq!(cosine_i8(&[0, 0], 0.0, &[5, 5], 1.0), 0.0);
    }

    #[test]
    fn dot_by_hand() {
        assert_eq!(dot_i8(&[1, -2, 3], &[4, 5, -6]), 4 - 10 - 18);
        assert_eq!(dot_i8(&[127; 384], &[-127; 384]), -127 * 127 * 384);
        assert_eq!(dot(&[1.0, 2.0], &[3.0, -4.0]), -5.0);
    }

    #[test]
    fn quantized_cosine_is_close_to_the_float_one_and_keeps_the_order() {
        let q = unit(1, 384);
        let docs: Vec<Vec<f32>> = (2..40).map(|s| unit(s, 384)).collect();
        let (qq, qs) = quantize(&q);
        let mut exact: Vec<(usize, f32)> = Vec::new();
        let mut approx: Vec<(usize, f32)> = Vec::new();
        for (i, d) in docs.iter().enumerate() {
            let (dq, ds) = quantize(d);
            let e = dot(&q, d);
            let a = cosine_i8(&qq, qs, &dq, ds);
            // Each component is off by ≤ scale/2 ≈ max|x|/254: a few thousandths in all.
            assert!((e - a).abs() < 0.01, "{e} vs {a}");
            exact.push((i, e));
            approx.push((i, a));
        }
        let best = |v: &mut Vec<(usize, f32)>| {
            v.sort_by(|a, b| b.1.total_cmp(&a.1));
            v[0].0
        };
        assert_eq!(best(&mut exact), best(&mut approx));
    }

    #[test]
    #[should_panic(expected = "different lengths")]
    fn lengths_must_match() {
        let _ = dot_i8(&[1], &[1, 2]);
    }
}
