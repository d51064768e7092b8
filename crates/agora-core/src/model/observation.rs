//! Observation (docs/model.md section 9): the metrics of a month, reduced
//! over fixed chunks of citizens in chunk order.

use crate::par::*;

use super::metrics::{Metrics, N_METRICS};
use super::{CHUNK, EPS_ADMIN, EPS_CITIZEN, INTERACTION_MONTHS, Model, PENDING, chunk_min_len, jurisdictions_in};
use crate::simd;

impl Model {
    /// The metrics of the current state (docs/model.md, "Observation").
    pub fn metrics(&self) -> Metrics {
        use super::metrics::idx::*;
        let c = &self.citizens;
        let a = &self.admins;
        let n = c.digital.len();
        // Sums per fixed chunk, added in chunk order: deterministic.
        let partials: Vec<([f64; 6], [u32; 2])> = (0..n.div_ceil(CHUNK))
            .into_par_iter()
            .with_min_len(chunk_min_len(n))
            .map(|chunk| {
                simd::run(
                    #[inline(always)]
                    || {
                        let range = chunk * CHUNK..((chunk + 1) * CHUNK).min(n);
                        // digital, trust, satisfaction, digital count, digital trust, fracture
                        let mut s = [0.0f64; 6];
                        // online in the last 12 months, pending
                        let mut k = [0u32; 2];
                        for (j, range) in jurisdictions_in(&a.start, range.start, range.end) {
                            let adoption = a.adoption[j];
                            let people = c.digital[range.clone()]
                                .iter()
                                .zip(&c.trust[range.clone()])
                                .zip(&c.satisfaction[range.clone()])
                                .zip(&c.online_age[range.clone()])
                                .zip(&self.flags[range]);
                            for ((((&d, &t), &satisfaction), &age), &f) in people {
                                let (d, t) = (f64::from(d), f64::from(t));
                                s[0] += d;
                                s[1] += t;
                                s[2] += f64::from(satisfaction);
                                // Branchless (adding 0.0 leaves a sum unchanged): a coin flip for mixed populations.
                                let high = f64::from(u8::from(d >= f64::from(0.5 - EPS_CITIZEN)));
                                s[3] += high;
                                s[4] += high * t;
                                s[5] += (d - adoption).max(0.0);
                                k[0] += u32::from(age < INTERACTION_MONTHS);
                                k[1] += u32::from(f & PENDING != 0);
                            }
                        }
                        (s, k)
                    },
                )
            })
            .collect();
        let mut s = [0.0f64; 8];
        for (sums, counts) in &partials {
            for (a, b) in s.iter_mut().zip(sums) {
                *a += b;
            }
            s[6] += f64::from(counts[0]);
            s[7] += f64::from(counts[1]);
        }
        let n_f = n as f64;
        let m_f = a.len() as f64;
        let mean = |v: &[f64]| v.iter().sum::<f64>() / m_f;
        let mut v = [f64::NAN; N_METRICS];
        v[DIGITALIZATION] = s[0] / n_f;
        v[DIGITAL_INTERACTION] = s[6] / n_f;
        v[TRUST] = s[1] / n_f;
        v[SATISFACTION] = s[2] / n_f;
        let (high, low) = (s[3], n_f - s[3]);
        if high > 0.0 && low > 0.0 {
            v[TRUST_GAP] = s[4] / high - (s[1] - s[4]) / low;
        }
        v[FRACTURE] = s[5] / n_f;
        v[PENDING_SHARE] = s[7] / n_f;
        v[ADOPTION] = mean(&a.adoption);
        v[INTEGRATION] = mean(&a.integration);
        v[ROI_BARRIER] = mean(&a.roi);
        v[SECURITY_BARRIER] = mean(&a.security);
        v[ORGANIZATIONAL_BARRIER] = mean(&a.organizational);
        v[PRESENCE_SHARE] = a.adoption.iter().filter(|&&x| x > EPS_ADMIN).count() as f64 / m_f;
        let reached: u64 = (0..a.len())
            .filter(|&j| a.adoption[j] > EPS_ADMIN)
            .map(|j| u64::from(a.size(j)))
            .sum();
        v[REACH] = reached as f64 / n_f;
        v[ADOPTER_SHARE] = a.adoption.iter().filter(|&&x| x >= 0.5 - EPS_ADMIN).count() as f64 / m_f;
        v[ABANDONED_SHARE] = a.abandoned.iter().filter(|&&x| x).count() as f64 / m_f;
        v[FAILED_PROJECTS] = a.failed.iter().map(|&k| f64::from(k)).sum::<f64>() / m_f;
        v[TRANSFORMED_SHARE] = a.transformed.iter().filter(|&&x| x).count() as f64 / m_f;
        if self.step > 0 {
            let f = &self.flows;
            v[PARTICIPATION] = f.participants as f64 / n_f;
            v[UNHEARD_SHARE] = ratio(f.unheard, f.online);
            v[SERVICE_RATE] = ratio(f.resolved, f.needs);
            v[REPEAT_SHARE] = ratio(f.repeats, f.needs);
            let staff = self.staff_capacity();
            v[PRODUCTIVITY] = if staff > 0.0 {
                f.resolved as f64 / staff
            } else {
                f64::NAN
            };
            v[INCIDENTS] = f.incidents as f64 / m_f;
        }
        v[COST] = self.cost;
        Metrics {
            step: self.step,
            values: v,
        }
    }

    /// Requests all staff can handle in a month.
    fn staff_capacity(&self) -> f64 {
        match &self.local {
            None => self.dynamics.capacity_per_citizen * self.citizens.digital.len() as f64,
            Some(local) => (0..self.admins.len())
                .map(|j| local[j].capacity_per_citizen * f64::from(self.admins.size(j)))
                .sum(),
        }
    }
}

fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        f64::NAN
    } else {
        part as f64 / whole as f64
    }
}
