## mmrm_trd_stratum.R -- our own fixture for the trial-facing MMRM with a stratum covariate (fitMmrmTrial with
## stratum: true), which the shared reference does not cover. mmrm is not installable here, so the fit is nlme::gls
## with corSymm + varIdent (= UN), REML, tight control (reference/stats-reference/README.md section 2.2): it gives the
## REML optimum (-2RLL to ~1e-8 relative, estimates to ~1e-5..1e-6) and model-based SEs (= Satterthwaite SEs), not
## small-sample df. Data: trd_madrs_crp.csv (seeded simulated TRD trial written by interaction.R).
## Model: chg ~ arm * week_f + baseline_madrs * week_f + crp_high, crp_high = 1 if baseline hs-CRP >= 3 mg/L (numeric).
## Run from this folder: Rscript mmrm_trd_stratum.R -> mmrm_trd_stratum.json
suppressPackageStartupMessages({ library(nlme); library(emmeans); library(jsonlite) })
emm_options(msg.interaction = FALSE)
d <- read.csv("trd_madrs_crp.csv")
d <- d[!is.na(d$madrs), ]
d$chg <- d$madrs - d$baseline_madrs
d$arm <- factor(d$arm, levels = c("PLACEBO", "TOCILIZUMAB"))
d$week_f <- factor(d$week, levels = c(1, 2, 4, 8))
d$vidx <- as.integer(d$week_f)
d$crp_high <- as.numeric(d$crp >= 3)
fit <- eval(bquote(gls(chg ~ arm * week_f + baseline_madrs * week_f + crp_high, data = .(d),
  correlation = corSymm(form = ~ vidx | subject), weights = varIdent(form = ~ 1 | week_f), method = "REML",
  control = glsControl(tolerance = 1e-12, msTol = 1e-12, maxIter = 1000, msMaxIter = 1000, natural = FALSE))))
full <- names(which(table(d$subject) == 4))[1]
V <- matrix(as.numeric(getVarCov(fit, individual = full)), 4, 4)
s <- summary(fit)$tTable
emm <- emmeans(fit, ~ arm | week_f, mode = "df.error", data = d)
emm_df <- function(x) { o <- as.data.frame(summary(x)); for (k in names(o)) if (is.factor(o[[k]])) o[[k]] <- as.character(o[[k]]); o }
out <- list(
  meta = list(R = R.version.string, nlme = as.character(packageVersion("nlme")), emmeans = as.character(packageVersion("emmeans")),
              generated = format(Sys.time(), "%Y-%m-%dT%H:%M:%SZ", tz = "UTC")),
  call = "gls(chg ~ arm * week_f + baseline_madrs * week_f + crp_high, correlation = corSymm(form = ~ vidx | subject), weights = varIdent(form = ~ 1 | week_f), method = 'REML')",
  n_obs = nrow(d), n_subjects = length(unique(d$subject)),
  minus2_reml_loglik = -2 * as.numeric(logLik(fit)),
  coefficients = data.frame(term = rownames(s), estimate = s[, 1], se = s[, 2], row.names = NULL),
  covariance_matrix = V,
  reference_grid_covariate_means = list(baseline_madrs = mean(d$baseline_madrs), crp_high = mean(d$crp_high)),
  lsmeans = emm_df(emm)[, c("arm", "week_f", "emmean", "SE")],
  diff = emm_df(contrast(emm, "revpairwise"))[, c("contrast", "week_f", "estimate", "SE")],
  note_grid = paste("emmeans keeps a numeric covariate with <= 2 distinct values (cov.keep = '2', its default) as",
                    "grid levels averaged with equal weights, so crp_high enters the LS means at 0.5, as a SAS CLASS",
                    "stratum would; baseline_madrs (many values) at its mean over the analysed rows"),
  lsmeans_linfct = list(colnames = colnames(emm@linfct), rows = lapply(seq_len(nrow(emm@linfct)), function(i)
    list(arm = as.character(emm@grid$arm[i]), week_f = as.character(emm@grid$week_f[i]), L = as.numeric(emm@linfct[i, ])))))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE, matrix = "rowmajor"), "mmrm_trd_stratum.json")
cat("done\n")
