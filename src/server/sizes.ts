/** A size in bytes as MiB for a message: "8" for 8 MiB, "0.0625" for 64 KiB (three significant figures). */
export const mebibytes = (bytes: number): string => String(Number((bytes / 1024 / 1024).toPrecision(3)));
