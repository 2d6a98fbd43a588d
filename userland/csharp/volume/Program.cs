using Exo.Abi;
using Exo.Std;
using Exo.Std.Ipc;
using Exo.Std.Services;

namespace Volume
{
    /// <summary>volume: prints the audio service's master volume in percent; "volume PERCENT" sets it (0..200, 100 plays
    /// the mix as it is).</summary>
    public static unsafe class Program
    {
        private const ulong MaximumPercent = 200;
        private const ulong ConnectNanoseconds = 5_000_000_000;

        public static int Main()
        {
            Error error = AudioStream.Connect(new NameService(new Endpoint(Process.StartupHandle(0))), ConnectNanoseconds, out Endpoint service);
            if (error == Error.None && Process.ArgumentCount > 1)
            {
                if (!Process.TryParseArgument(1, out ulong percent) || percent > MaximumPercent)
                {
                    Console.WriteLine("volume: expected a percentage from 0 to 200");
                    return 1;
                }
                error = AudioStream.SetMasterVolume(service, (uint)(percent * Exo.Protocols.Audio.AudioStreamLayout.UnityVolume / 100));
            }
            uint volume = 0;
            if (error == Error.None)
                error = AudioStream.GetMasterVolume(service, out volume);
            if (error != Error.None)
            {
                Console.Write("volume: ");
                Console.WriteLine(Errors.Describe(error));
                return 2;
            }
            Console.Write("volume: master ");
            Console.Write((volume * 100 + Exo.Protocols.Audio.AudioStreamLayout.UnityVolume / 2) / Exo.Protocols.Audio.AudioStreamLayout.UnityVolume);
            Console.WriteLine("%");
            return 0;
        }
    }
}
