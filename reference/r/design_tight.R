## design_tight.R -- design references solved to uniroot tol = 1e-12, for values the shared reference
## (stats-reference/outputs/design_reference.json) only gives at power.t.test's default tol (~1.2e-4):
## strict two-sided n, one-sided n and power, alpha = 0.01, and the enrichment all-comers n.
## Output: design_tight.json next to this script. Run: Rscript reference/r/design_tight.R
here <- dirname(normalizePath(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE))))
source(file.path(here, "..", "stats-reference", "scripts", "helpers.R"))
out <- list(meta = list(R = R.version.string, generated = format(Sys.time(), "%Y-%m-%dT%H:%M:%SZ", tz = "UTC")))
g <- expand.grid(delta = c(2, 3, 5), sd = c(8), power = c(0.8, 0.9), alpha = c(0.05, 0.01), sides = c(1, 2))
g$n <- mapply(function(d, s, p, a, k) power.t.test(delta = d, sd = s, power = p, sig.level = a,
  alternative = if (k == 1) "one.sided" else "two.sided", tol = 1e-12)$n, g$delta, g$sd, g$power, g$alpha, g$sides)
g$n_strict <- mapply(function(d, s, p, a, k) power.t.test(delta = d, sd = s, power = p, sig.level = a, strict = TRUE,
  alternative = if (k == 1) "one.sided" else "two.sided", tol = 1e-12)$n, g$delta, g$sd, g$power, g$alpha, g$sides)
g$power_at_60 <- mapply(function(d, s, a, k) power.t.test(n = 60, delta = d, sd = s, sig.level = a,
  alternative = if (k == 1) "one.sided" else "two.sided")$power, g$delta, g$sd, g$alpha, g$sides)
out$ttest <- g
enr <- expand.grid(pi = c(0.27, 0.3, 0.45, 0.6), delta_pos = 4, delta_neg = c(0, 1, 2), sigma = 8, power = 0.8)
enr$delta_all <- enr$pi * enr$delta_pos + (1 - enr$pi) * enr$delta_neg
enr$sd_all_pooled <- sqrt(enr$sigma^2 + enr$pi * (1 - enr$pi) * (enr$delta_pos - enr$delta_neg)^2 / 2)
enr$n_enriched_per_arm <- mapply(function(d, s) power.t.test(delta = d, sd = s, power = 0.8, tol = 1e-12)$n, enr$delta_pos, enr$sigma)
enr$n_allcomers_per_arm <- mapply(function(d, s) power.t.test(delta = d, sd = s, power = 0.8, tol = 1e-12)$n, enr$delta_all, enr$sd_all_pooled)
enr$screened_enriched <- 2 * ceiling(enr$n_enriched_per_arm) / enr$pi
out$enrichment <- enr
write_json(out, file.path(here, "design_tight.json"))
cat("done\n")
