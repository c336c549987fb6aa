/*
 * stdio_files [ARG]: an ordinary C program (stdio, malloc, files), built by
 * UnmodifiedBinaryTest with the system's toolchain (gcc -static: static
 * glibc), run natively and unmodified as a VM: the outputs must be the same.
 * Writes out.txt in its working directory (the VM's policy root).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv) {
    char *buf = malloc(1 << 20);
    if (!buf) return 2;
    FILE *f = fopen("out.txt", "w");
    if (!f) { perror("fopen"); return 3; }
    for (int i = 0; i < 100; i++) fprintf(f, "line %d\n", i);
    fclose(f);
    f = fopen("out.txt", "r");
    long n = 0; while (fgets(buf, 4096, f)) n++;
    fclose(f);
    printf("%s: %ld lines, %s\n", argv[0], n, argc > 1 ? argv[1] : "-");
    free(buf);
    return 0;
}
