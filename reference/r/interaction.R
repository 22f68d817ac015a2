## interaction.R -- our own fixture for treatment x baseline-CRP effect modification and the stratified ANCOVA,
## which the shared reference does not cover (it has no MADRS/CRP trial outputs).
## 1. Simulates (seed 20261127) a two-arm TRD trial: tocilizumab vs placebo, MADRS at weeks 1, 2, 4, 8, baseline
##    hs-CRP (mg/L, log-normal), a treatment benefit that grows with log(CRP), ~15% monotone dropout.
##    Written to trd_madrs_crp.csv (long format; empty madrs = missing).
## 2. Analyses week 8 (observed cases) with the calls of reference/stats-reference/README.md sections 2.1 and 2.4.
## Run from this folder: Rscript interaction.R  -> trd_madrs_crp.csv, interaction.json
suppressPackageStartupMessages({ library(jsonlite); library(emmeans) })
emm_options(msg.interaction = FALSE)
set.seed(20261127)
n <- 120
subject <- sprintf("S%03d", 1:n)
arm <- rep(c("PLACEBO", "TOCILIZUMAB"), each = n / 2)
baseline <- round(rnorm(n, 32, 5))
crp <- round(exp(rnorm(n, log(2.5), 0.9)), 2)
weeks <- c(1, 2, 4, 8)
last_week <- sample(c(2, 4, 8), n, replace = TRUE, prob = c(0.07, 0.08, 0.85))
u <- rnorm(n, 0, 4)
rows <- list()
for (i in 1:n) for (w in weeks) {
  benefit <- if (arm[i] == "TOCILIZUMAB") (1.5 + 2.5 * log(crp[i] / 3)) * w / 8 else 0
  chg <- -0.35 * (baseline[i] - 32) * w / 8 - 6 * w / 8 - benefit + u[i] + rnorm(1, 0, 4)
  madrs <- if (w <= last_week[i]) max(0, round(baseline[i] + chg)) else NA
  rows[[length(rows) + 1]] <- data.frame(subject = subject[i], arm = arm[i], week = w, madrs = madrs,
                                         baseline_madrs = baseline[i], crp = crp[i])
}
long <- do.call(rbind, rows)
write.csv(long, "trd_madrs_crp.csv", row.names = FALSE, na = "", quote = FALSE)

d <- read.csv("trd_madrs_crp.csv")
w8 <- d[d$week == 8 & !is.na(d$madrs), ]
w8$arm <- factor(w8$arm, levels = c("PLACEBO", "TOCILIZUMAB"))
w8$chg <- w8$madrs - w8$baseline_madrs
w8$crp_high <- as.numeric(w8$crp >= 3)
w8$log_crp_c <- log(w8$crp) - log(3)
coefs <- function(fit) { s <- summary(fit)$coefficients; ci <- confint(fit)
  data.frame(term = rownames(s), estimate = s[, 1], se = s[, 2], t = s[, 3], p = s[, 4],
             ci_lower = ci[, 1], ci_upper = ci[, 2], row.names = NULL) }
emm_rows <- function(x) { d <- as.data.frame(summary(x, infer = c(TRUE, TRUE))); for (k in names(d)) if (is.factor(d[[k]])) d[[k]] <- as.character(d[[k]]); d }

fa <- lm(chg ~ arm + baseline_madrs + crp_high, data = w8)
emm <- emmeans(fa, ~ arm)
ancova_stratified <- list(call = "lm(chg ~ arm + baseline_madrs + crp_high, data = week8_observed)",
  n = nrow(w8), df = fa$df.residual, sigma = summary(fa)$sigma, coefficients = coefs(fa),
  lsmeans = emm_rows(emm), difference = emm_rows(contrast(emm, "revpairwise")),
  baseline_mean = mean(w8$baseline_madrs))

fi <- lm(chg ~ arm * log_crp_c + baseline_madrs, data = w8)
f0 <- lm(chg ~ arm + log_crp_c + baseline_madrs, data = w8)
av <- anova(f0, fi)
at <- emmeans(fi, ~ arm | log_crp_c, at = list(log_crp_c = log(c(1, 3, 10) / 3)))
eff <- emm_rows(contrast(at, "revpairwise"))
eff$crp <- c(1, 3, 10)
fs <- lm(chg ~ arm * crp_high + baseline_madrs, data = w8)
sub <- emm_rows(contrast(emmeans(fs, ~ arm | crp_high), "revpairwise"))
interaction <- list(call = "lm(chg ~ arm * log_crp_c + baseline_madrs), log_crp_c = log(crp) - log(3)",
  n = nrow(w8), df = fi$df.residual, coefficients = coefs(fi),
  f_test = list(F = av$F[2], df1 = av$Df[2], df2 = av$Res.Df[2], p = av$`Pr(>F)`[2]),
  effects_at_crp = eff, subgroup_effects = sub)
out <- list(meta = list(R = R.version.string, emmeans = as.character(packageVersion("emmeans")),
                        generated = format(Sys.time(), "%Y-%m-%dT%H:%M:%SZ", tz = "UTC"), seed = 20261127),
            data = list(file = "trd_madrs_crp.csv", subjects = n, rows = nrow(long), observed_week8 = nrow(w8)),
            ancova_stratified_week8 = ancova_stratified, interaction_logcrp_week8 = interaction)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "null", dataframe = "rows"), "interaction.json")
cat("done\n")
