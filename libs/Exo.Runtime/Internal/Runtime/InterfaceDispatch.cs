using System.Runtime;

namespace Internal.Runtime
{
    /// <summary>
    /// Resolves interface calls the compiler could not devirtualise. Each call site has a dispatch cell
    /// {stub, cache}: the cache word holds a 32-bit relative pointer to the interface type (low bits 3),
    /// and the run of cells ends in a cell with a null stub whose second word is the interface slot.
    /// The implementation comes from the dispatch maps of the receiver's type and its bases.
    /// </summary>
    internal static unsafe class InterfaceDispatch
    {
        private const nint CachePointerMask = 3;
        private const nint InterfaceRelativePointer = 3;
        private const nint IndirectedInterfaceRelativePointer = 2;
        private const nint InterfacePointer = 1;
        internal static ulong Resolutions;

        // Called by RhpInitialDynamicInterfaceDispatch (Arch/X64/RuntimeHelpers.asm) with the receiver and
        // the dispatch cell; returns the code address to jump to.
        [RuntimeExport("ExoResolveInterfaceDispatch")]
        internal static nint ExoResolveInterfaceDispatch(object self, nint cell)
        {
            if (self == null)
                Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowNullReferenceException();
            Resolutions++;
            MethodTable* interfaceType = CellInterface(cell, out ushort slot);
            nint target = FindImplementation(self.GetMethodTable(), interfaceType, slot);
            if (target == 0)
                Exo.Runtime.RuntimeFailure.Fail("no implementation for an interface method (default interface methods are not supported)", self);
            return target;
        }

        private static MethodTable* CellInterface(nint cell, out ushort slot)
        {
            nint* cache = (nint*)cell + 1;
            nint value = *cache;
            nint* terminator = (nint*)cell;
            while (terminator[0] != 0)
                terminator += 2;
            slot = (ushort)terminator[1];
            switch (value & CachePointerMask)
            {
                case InterfaceRelativePointer:
                    return (MethodTable*)(((nint)cache + (int)value) & ~CachePointerMask);
                case IndirectedInterfaceRelativePointer:
                    return *(MethodTable**)(((nint)cache + (int)value) & ~CachePointerMask);
                case InterfacePointer:
                    return (MethodTable*)(value & ~CachePointerMask);
                default:
                    Exo.Runtime.RuntimeFailure.Fail("interface dispatch cell in an unknown format", null);
                    return null;
            }
        }

        internal static nint FindImplementation(MethodTable* instanceType, MethodTable* interfaceType, ushort slot)
        {
            for (MethodTable* type = instanceType; type != null; type = type->BaseType)
            {
                DispatchMap* map = type->DispatchMap;
                if (map == null)
                    continue;
                DispatchMap.Entry* entries = map->Entries;
                MethodTable** interfaces = type->InterfaceMap;
                for (int i = 0; i < map->StandardEntryCount; i++)
                {
                    DispatchMap.Entry* entry = entries + i;
                    if (entry->InterfaceMethodSlot != slot || interfaces[entry->InterfaceIndex] != interfaceType)
                        continue;
                    int implementation = entry->ImplementationSlot;
                    return implementation < type->NumVtableSlots
                        ? instanceType->Vtable[implementation]
                        : type->SealedVirtualSlot(implementation - type->NumVtableSlots);
                }
            }
            return 0;
        }
    }
}
