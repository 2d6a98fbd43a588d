// The native ABI (libs/Exo.Abi: system call numbers, Error, Rights, ObjectType, ResourceKind, Constants) is the
// kernel's own vocabulary, shared with exo_std and the assembly programs: every kernel file sees it.
global using Exo.Abi;
