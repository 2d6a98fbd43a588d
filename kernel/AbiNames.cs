// The native ABI (libs/Exo.Abi: system call numbers, Error, Rights, ObjectType, ResourceKind, Constants) is the
// kernel's own vocabulary, shared with exo_std and the assembly programs: every kernel file sees it.
global using Exo.Abi;

// TODO(abi): kernel/Processes (being split) still spells the old names; when it uses ObjectType, Error and
// Errors.Describe, these aliases go.
global using KernelObjectType = Exo.Abi.ObjectType;
global using CapabilityError = Exo.Abi.Error;
global using CapabilityErrors = Exo.Abi.Errors;
