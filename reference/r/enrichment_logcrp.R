## enrichment_logcrp.R -- independent reference for the log-CRP enrichment model of src/stats/design:
##  1. the log-normal CRP calibration (P(CRP >= 3) = 0.27, P(CRP >= 1) = 0.58, Osimo 2019) and the mean and variance of
##     ln(CRP/3) in all patients and above 3 mg/L, by numerical integration (integrate), not the closed forms;
##  2. the analytic t-test power of each design from the effect's mean and variance (power.t.test);
##  3. a Monte-Carlo simulation with R's own RNG and lm.fit analyses: t-test, y ~ arm + [CRP >= 3], y ~ arm + ln(CRP/3).
##     Truncated CRP is drawn by rejection here (the TypeScript code inverts the tail), an independent route.
## Output: enrichment_logcrp.json next to this script. Run: Rscript reference/r/enrichment_logcrp.R (~1 min)
here <- dirname(normalizePath(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE))))
source(file.path(here, "..", "stats-reference", "scripts", "helpers.R"))
out <- list(meta = list(R = R.version.string, generated = format(Sys.time(), "%Y-%m-%dT%H:%M:%SZ", tz = "UTC")))

z1 <- qnorm(1 - 0.27); z2 <- qnorm(1 - 0.58)
s <- (log(3) - log(1)) / (z1 - z2); mu <- log(3) - z1 * s
out$calibration <- list(meanLog = mu, sdLog = s, medianMgPerL = exp(mu))
moments <- function(lower) {
  dens <- function(l) dnorm(l, mu - log(3), s)
  mass <- integrate(dens, lower, Inf, rel.tol = 1e-13)$value
  m1 <- integrate(function(l) l * dens(l), lower, Inf, rel.tol = 1e-13)$value / mass
  m2 <- integrate(function(l) l^2 * dens(l), lower, Inf, rel.tol = 1e-13)$value / mass
  list(mean = m1, variance = m2 - m1^2)
}
out$log_crp_moments <- list(all = moments(-Inf), above_threshold = moments(0))

beta0 <- 3; beta1 <- 1.5; sigma <- 8; n_enr <- 64; n_all <- 187
design_row <- function(m, n) {
  mean_eff <- beta0 + beta1 * m$mean; var_eff <- beta1^2 * m$variance
  list(n_per_arm = n, mean_effect = mean_eff, effect_sd = sqrt(var_eff),
       analytic_power = power.t.test(n = n, delta = mean_eff, sd = sqrt(sigma^2 + var_eff / 2))$power)
}
out$model <- list(beta0 = beta0, beta1 = beta1, sigma = sigma, alpha = 0.05,
                  effect = "beta0 + beta1 * log(CRP/3) in the treated arm; control mean 0; outcome sd sigma")
out$analytic <- list(enriched = design_row(out$log_crp_moments$above_threshold, n_enr),
                     allcomers = design_row(out$log_crp_moments$all, n_all))

RNGkind("Mersenne-Twister", "Inversion", "Rejection"); set.seed(20261127)
draw_l <- function(n, enriched) {
  if (!enriched) return(rnorm(n, mu - log(3), s))
  l <- numeric(0)
  while (length(l) < n) { x <- rnorm(2 * n, mu - log(3), s); l <- c(l, x[x >= 0]) }
  l[seq_len(n)]
}
t_arm <- function(X, y) {
  f <- lm.fit(X, y); rdf <- length(y) - ncol(X); s2 <- sum(f$residuals^2) / rdf
  XtXi <- chol2inv(qr.R(f$qr)); c(t = unname(f$coefficients[2] / sqrt(s2 * XtXi[2, 2])), df = rdf)
}
nsim <- 10000
simulate <- function(n, enriched) {
  rej <- matrix(FALSE, nsim, 3, dimnames = list(NULL, c("ttest", "stratified", "ancovaLogCrp")))
  for (i in seq_len(nsim)) {
    lt <- draw_l(n, enriched); lc <- draw_l(n, enriched)
    y <- c(beta0 + beta1 * lt + rnorm(n, 0, sigma), rnorm(n, 0, sigma))
    a <- rep(1:0, each = n); l <- c(lt, lc); h <- as.numeric(l >= 0)
    tt <- t_arm(cbind(1, a), y)
    st <- if (length(unique(h)) > 1) t_arm(cbind(1, a, h), y) else tt
    an <- t_arm(cbind(1, a, l), y)
    rej[i, ] <- c(abs(tt["t"]) > qt(0.975, tt["df"]), abs(st["t"]) > qt(0.975, st["df"]), abs(an["t"]) > qt(0.975, an["df"]))
  }
  p <- colMeans(rej)
  lapply(setNames(names(p), names(p)), function(k) list(power = unname(p[k]), mc_se = unname(sqrt(p[k] * (1 - p[k]) / nsim))))
}
out$simulation <- list(seed = 20261127, nsim = nsim, rng = "Mersenne-Twister / Inversion / Rejection",
                       enriched = simulate(n_enr, TRUE), allcomers = simulate(n_all, FALSE))
write_json(out, file.path(here, "enrichment_logcrp.json"))
cat("done\n")
