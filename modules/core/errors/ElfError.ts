/** A binary that is not the ELF file its target row describes (wrong machine, class, byte order, float ABI, linkage). */
export class ElfError extends Error {
  constructor(message: string) {
    super(message)
    this.name = "ElfError"
  }
}
