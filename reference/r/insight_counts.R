## insight_counts.R -- reference numbers for `trd analyze --counts` on the INSIGHT day-28 counts
## (remission 7/13 tocilizumab vs 5/16 placebo; response 6/13 vs 3/16), using the same formulas as
## reference/stats-reference/scripts/analysis_lib.R (Wilson via prop.test, Newcombe method 10, Fisher, Woolf, log-Wald).
## Run from this folder: Rscript insight_counts.R  -> insight_counts.json
suppressPackageStartupMessages(library(jsonlite))
wilson <- function(x, n) as.numeric(prop.test(x, n, correct = FALSE)$conf.int)
newcombe10 <- function(x1, n1, x2, n2) {
  p1 <- x1 / n1; p2 <- x2 / n2; w1 <- wilson(x1, n1); w2 <- wilson(x2, n2); d <- p1 - p2
  c(d - sqrt((p1 - w1[1])^2 + (w2[2] - p2)^2), d + sqrt((w1[2] - p1)^2 + (p2 - w2[1])^2))
}
block <- function(label, xa, na, xc, nc) {
  z <- qnorm(0.975); pa <- xa / na; pc <- xc / nc; rd <- pa - pc; nw <- newcombe10(xa, na, xc, nc)
  tab <- matrix(c(xa, na - xa, xc, nc - xc), 2, byrow = TRUE)
  or <- (xa * (nc - xc)) / ((na - xa) * xc); se_lor <- sqrt(1 / xa + 1 / (na - xa) + 1 / xc + 1 / (nc - xc))
  rr <- pa / pc; se_lrr <- sqrt(1 / xa - 1 / na + 1 / xc - 1 / nc)
  list(label = label,
       treatment = list(x = xa, n = na, p = pa, wilson = wilson(xa, na), clopper_pearson = as.numeric(binom.test(xa, na)$conf.int)),
       control = list(x = xc, n = nc, p = pc, wilson = wilson(xc, nc), clopper_pearson = as.numeric(binom.test(xc, nc)$conf.int)),
       rd = rd, newcombe = nw, nnt = 1 / rd, nntb_from = 1 / nw[2], nnth_from = if (nw[1] < 0) -1 / nw[1] else NA,
       risk_ratio = c(rr, exp(log(rr) + c(-1, 1) * z * se_lrr)),
       odds_ratio_woolf = c(or, exp(log(or) + c(-1, 1) * z * se_lor)),
       fisher_p = fisher.test(tab)$p.value)
}
out <- list(meta = list(R = R.version.string, generated = format(Sys.time(), "%Y-%m-%dT%H:%M:%SZ", tz = "UTC")),
            remission_day28 = block("remission", 7, 13, 5, 16),
            response_day28 = block("response", 6, 13, 3, 16))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "null"), "insight_counts.json")
