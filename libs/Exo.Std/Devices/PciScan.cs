using Exo.Abi;

namespace Exo.Std.Devices
{
    /// <summary>
    /// Walks the PCI functions the kernel found, in address order, with the root resource: each step makes the
    /// next function's capability (the caller keeps or closes it). Function 0 of each device first; functions
    /// 1-7 only for a multi-function device. A function another capability holds (Busy) is passed over.
    /// </summary>
    public struct PciScan
    {
        private int _next;   // bus << 8 | device << 3 | function to try next
        private bool _multiFunction;

        /// <summary>The next function's capability and address (bus << 8 | device << 3 | function); false at the end.</summary>
        public bool MoveNext(RootResource root, out PciDevice device, out int address)
        {
            while (_next <= 0xFFFF)
            {
                address = _next;
                int function = address & 7;
                if (function != 0 && !_multiFunction)
                {
                    _next = (address | 7) + 1;   // the next device
                    continue;
                }
                _next++;
                Error error = root.CreatePciDevice(address >> 8, (address >> 3) & 31, function, out device);
                if (error == Error.NotFound && function == 0)
                {
                    _multiFunction = false;
                    _next = address + 8;
                    continue;
                }
                if (error != Error.None)
                    continue;
                if (function == 0)
                {
                    device.Read(0x0E, 1, out uint headerType);
                    _multiFunction = (headerType & 0x80) != 0;
                }
                return true;
            }
            device = default;
            address = 0;
            return false;
        }

        /// <summary>Writes "bb:dd.f vvvv:dddd class cccccc", as lspci -n shows a function.</summary>
        public static void WriteListing(int address, PciDevice device)
        {
            device.Read(0, 4, out uint identity);
            device.Read(8, 4, out uint classRevision);
            WriteHex((uint)address >> 8, 2);
            Console.Write(':');
            WriteHex((uint)(address >> 3) & 31, 2);
            Console.Write('.');
            WriteHex((uint)address & 7, 1);
            Console.Write(' ');
            WriteHex(identity & 0xFFFF, 4);
            Console.Write(':');
            WriteHex(identity >> 16, 4);
            Console.Write(" class ");
            WriteHex(classRevision >> 8, 6);
        }

        private static void WriteHex(uint value, int digits)
        {
            for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4)
            {
                uint nibble = (value >> shift) & 0xF;
                Console.Write((char)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10));
            }
        }
    }
}
