## antidepressant_remission_observed.R -- remission (HAMD17 <= 7) at VISIT 7 for observed cases on the DIA
## antidepressant data: the one responder block that reference/stats-reference/outputs/antidepressant_hamd17_reference.json
## does not have (it has response NRI, remission NRI and response observed). Same formulas as analysis_lib.R.
## Run from this folder: Rscript antidepressant_remission_observed.R -> antidepressant_remission_observed.json
suppressPackageStartupMessages(library(jsonlite))
d <- read.csv("../stats-reference/data/antidepressant_hamd17.csv")
v7 <- d[d$VISIT == 7 & !is.na(d$HAMDTL17), ]
rem <- as.numeric(v7$HAMDTL17 <= 7)
wilson <- function(x, n) as.numeric(prop.test(x, n, correct = FALSE)$conf.int)
newcombe10 <- function(x1, n1, x2, n2) {
  p1 <- x1 / n1; p2 <- x2 / n2; w1 <- wilson(x1, n1); w2 <- wilson(x2, n2); dd <- p1 - p2
  c(dd - sqrt((p1 - w1[1])^2 + (w2[2] - p2)^2), dd + sqrt((w1[2] - p1)^2 + (p2 - w2[1])^2))
}
xa <- sum(rem[v7$THERAPY == "DRUG"]); na <- sum(v7$THERAPY == "DRUG")
xc <- sum(rem[v7$THERAPY == "PLACEBO"]); nc <- sum(v7$THERAPY == "PLACEBO")
out <- list(meta = list(R = R.version.string, generated = format(Sys.time(), "%Y-%m-%dT%H:%M:%SZ", tz = "UTC")),
  remission_observed = list(label = "remission (HAMD17<=7) observed cases, VISIT 7",
    treatment = list(arm = "DRUG", x = xa, n = na, wilson = wilson(xa, na)),
    control = list(arm = "PLACEBO", x = xc, n = nc, wilson = wilson(xc, nc)),
    rd = xa / na - xc / nc, newcombe = newcombe10(xa, na, xc, nc), nnt = 1 / (xa / na - xc / nc),
    fisher_p = fisher.test(matrix(c(xa, na - xa, xc, nc - xc), 2, byrow = TRUE))$p.value))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), "antidepressant_remission_observed.json")
