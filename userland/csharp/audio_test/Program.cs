using Exo.Abi;
using Exo.Std;
using Exo.Std.Handles;
using Exo.Std.Ipc;
using Exo.Std.Services;
using Exo.Protocols.Audio;

namespace AudioTest
{
    /// <summary>
    /// The audio boot tests' client (AudioBootTests, init=audio_test.conf), run as a task: it plays a sequence of segments
    /// through the audio service with `tone` children, a second apart, which the host finds in QEMU's wav recording and
    /// checks by spectrum: a 1 kHz sine; a sweep; two tones at once
    /// (two clients mixed); a 44.1 kHz float mono tone (resampled); a client that stops writing for 300 ms (padded with
    /// silence); a client keeping at most 5 ms queued, alone and beside a CPU hog (a child of its own spinning), whose
    /// service figures are `make bench`'s audio rows. It checks that bad stream values are refused, then plays long streams for the host to kill the driver and
    /// the service under ("audio_test: long stream N started"), and after each a new 1 s stream. "audio_test hog MS" spins;
    /// "audio_test capture" checks AudioCapture (CaptureCheck).
    /// </summary>
    public static unsafe class Program
    {
        private const ulong GapNanoseconds = 1_000_000_000;
        private const ulong LoadSettleNanoseconds = 300_000_000;
        private static Handle s_names;
        private static Endpoint s_service;
        /// <summary>The measured client keeps at most 5 ms queued (one period written at a time).</summary>
        private const int MeasuredQueueBytes = 240 * 4;

        public static int Main()
        {
            if (Process.ArgumentIs(1, "hog"))
                return Hog();
            if (Process.ArgumentIs(1, "ipc-load"))
                return IpcLoad();
            s_names = Process.StartupHandle(0);
            Error error = AudioStream.Connect(new NameService(new Endpoint(s_names)), 30_000_000_000, out Endpoint service);
            if (error != Error.None)
                return Fail("no audio service", error);
            s_service = service;
            if (Process.ArgumentIs(1, "bench"))
                return Bench(service);
            if (Process.ArgumentIs(1, "capture"))
                return CaptureCheck.Run(service);
            Sleep(3 * GapNanoseconds);   // the boot's own work (the console's shell starting) done first
            Segment("1 kHz", "tone 1000 2000");
            Segment("sweep", "tone sweep 200 4000 2000");
            ProcessHandle second = Start("tone 2500 2000 48000 1 2 25");
            Segment("two tones", "tone 1000 2000 48000 1 2 25");
            second.Wait(out _);
            second.Close();
            Segment("44.1 kHz float mono", "tone 1500 1000 44100 2 1 50");
            StallingClient(service);
            Pause();
            Measure("bench", service, false);
            Measure("bench under a CPU hog and the IPC load", service, true, true);
            BadValues(service);
            LongStream(service, 1);
            Segment("after the driver's restart", "tone 1000 1000");
            LongStream(service, 2);
            Segment("after the service's restart", "tone 1000 1000");
            Console.WriteLine("audio_test: done");
            return 0;
        }

        private static void Segment(string what, string command)
        {
            Console.Write("audio_test: segment ");
            Console.WriteLine(what);
            AudioStream.Statistics(s_service, true, out _);
            ProcessHandle child = Start(command);
            child.Wait(out long status);
            child.Close();
            AudioStream.Statistics(s_service, false, out AudioStatistics statistics);
            Console.Write("audio_test: segment ");
            Console.Write(what);
            Console.Write(": service: ");
            statistics.Write();
            Console.WriteLine();
            if (status != 0)
            {
                Console.Write("audio_test: FAIL segment ");
                Console.Write(what);
                Console.Write(" status ");
                Console.Write(status);
                Console.WriteLine();
            }
            Pause();
        }

        // 500 ms of 1 kHz, 300 ms of nothing, 500 ms more: the service pads the gap with silence and counts it starved.
        private static void StallingClient(Endpoint service)
        {
            Console.WriteLine("audio_test: segment stalling client");
            Error error = AudioStream.Open(service, 48000, 2, AudioSampleFormat.Signed16, out AudioStream stream);
            if (error != Error.None)
            {
                Fail("stalling client: open", error);
                return;
            }
            double phase = 0;
            error = WriteSine(ref stream, 24000, ref phase);
            if (error == Error.None)
            {
                while (stream.Queued > 0)
                    Sleep(1_000_000);
                Sleep(300_000_000);
                error = WriteSine(ref stream, 24000, ref phase);
            }
            if (error == Error.None)
                error = stream.Finish();
            uint starved = stream.Header->Starved;
            stream.Close();
            if (error != Error.None)
                Fail("stalling client", error);
            else
            {
                Console.Write("audio_test: PASS stalling client: starved ");
                Console.Write(starved);
                Console.WriteLine(" periods, padded with silence");
            }
        }

        // `audio_test bench SECONDS` (make bench's audio boot, init=bench_audio.conf): the measured client for SECONDS alone,
        // then as long beside a CPU hog and the IPC load test (ipc_load's programs, round after round: IpcLoad); the lines
        // "audio_test: bench: ..." and "audio_test: bench under load: ..." are tools/Exo.Bench's audio rows.
        private static int Bench(Endpoint service)
        {
            Process.TryParseArgument(2, out ulong seconds);
            if (seconds == 0 || seconds > MaximumBenchSeconds)
                return Fail("bench: SECONDS must be 1 to 600", Error.Invalid);
            Sleep(3 * GapNanoseconds);   // the boot's own work done first
            int periods = (int)seconds * 1000;
            Measure("bench", service, false, false, periods);
            Measure("bench under load", service, true, true, periods);
            Console.WriteLine("EXO-BENCH-DONE");
            return 0;
        }

        private const ulong MaximumBenchSeconds = 600;

        // The figures for `make bench`: a client writing one period at a time with at most 5 ms queued, for 'periods' ms
        // of 1 kHz (alone, or beside a CPU hog, and the IPC load test): "audio_test: bench: audio.latency_p50 N us ...".
        private static void Measure(string what, Endpoint service, bool hog, bool ipcLoad = false, int periods = 3000)
        {
            Console.Write("audio_test: segment ");
            Console.WriteLine(what);
            // The figures are for playing beside the load, not beside its programs' start and end: it starts
            // LoadSettleNanoseconds before the stream and runs a second past its expected end (a spawn holds its processor
            // with interrupts masked for 0.7 to 3 ms under -icount, and ipc_load's five in a row, or their kill and
            // teardown, starve a client that keeps 5 ms queued: docs/audio.md).
            ulong loadMilliseconds = (ulong)periods + 1000 + LoadSettleNanoseconds / 1_000_000;
            ProcessHandle spinner = hog ? Start("audio_test hog ", loadMilliseconds) : default;
            ProcessHandle loader = ipcLoad ? Start("audio_test ipc-load ", loadMilliseconds) : default;
            if (hog || ipcLoad)
                Sleep(LoadSettleNanoseconds);
            Error error = AudioStream.Open(service, 48000, 2, AudioSampleFormat.Signed16, out AudioStream stream);
            if (error != Error.None)
            {
                Fail("bench: open", error);
                return;
            }
            AudioStream.Statistics(service, true, out _);
            // A client that keeps 5 ms queued asks, as audio clients do (rtkit on Linux), to be time-critical while it plays.
            Process.SetThreadSchedulingClass(Constants.SchedulingClassTimeCritical);
            double phase = 0;
            ulong openedAt = MonotonicClock.Nanoseconds;
            int period = 0;
            for (; period < periods && error == Error.None; period++)
            {
                error = stream.WaitUntilQueuedAtMost(MeasuredQueueBytes - 48 * 4);
                if (error == Error.None)
                    error = WriteSine(ref stream, 48, ref phase, 48);
            }
            ulong playedFor = MonotonicClock.Nanoseconds - openedAt;   // to the error, before the load is waited for
            Process.SetThreadSchedulingClass(Constants.SchedulingClassNormal);
            if (error == Error.None)
                error = stream.Finish();
            uint starved = stream.Header->Starved;   // periods the mixer found this client's ring short (the client was late)
            stream.Close();
            AudioStream.Statistics(service, false, out AudioStatistics statistics);
            if (hog)
            {
                spinner.Wait(out _);
                spinner.Close();
            }
            if (ipcLoad)
            {
                loader.Wait(out _);
                loader.Close();
            }
            if (error != Error.None)
            {
                // The service's figures say whether its mixer was late (lateness) or the client was (starved).
                Console.Write("audio_test: FAIL bench: ");
                Console.Write(Errors.Describe(error));
                Console.Write(" at period ");
                Console.Write(period);
                Console.Write(", ");
                Console.Write((long)(playedFor / 1000));
                Console.Write(" us after the open: ");
                statistics.Write();
                Console.Write("; the client starved ");
                Console.Write(starved);
                Console.WriteLine(" periods");
                return;
            }
            Console.Write("audio_test: ");
            Console.Write(what);
            Console.Write(": audio.latency_p50 ");
            Console.Write(statistics.LatencyP50);
            Console.Write(" us, audio.latency_p99 ");
            Console.Write(statistics.LatencyP99);
            Console.Write(" us, audio.underruns ");
            Console.Write(statistics.Underruns);
            Console.Write(", wake-up lateness p99 ");
            Console.Write(statistics.LatenessP99);
            Console.Write(" us, max ");
            Console.Write(statistics.LatenessMaximum);
            Console.Write(" us; the client starved ");
            Console.Write(starved);
            Console.WriteLine(" periods");
            Pause();
        }

        private static Error WriteSine(ref AudioStream stream, int frames, ref double phase, int chunkFrames = 480)
        {
            short* chunk = stackalloc short[2 * 480];
            for (int done = 0; done < frames; done += chunkFrames)
            {
                for (int i = 0; i < chunkFrames; i++)
                {
                    short value = (short)(16383 * Tone.Sine.OfTurns(phase));
                    chunk[2 * i] = chunk[2 * i + 1] = value;
                    phase += 1000.0 / 48000;
                    phase -= (long)phase;
                }
                Error error = stream.Write((byte*)chunk, chunkFrames * 4);
                if (error != Error.None)
                    return error;
            }
            return Error.None;
        }

        private static void BadValues(Endpoint service)
        {
            Expect("rate 22050", service, 22050, 2, AudioSampleFormat.Signed16);
            Expect("3 channels", service, 48000, 3, AudioSampleFormat.Signed16);
            Expect("format 7", service, 48000, 2, 7);
            Error error = AudioStream.SetMasterVolume(service, 3 * AudioStreamLayout.UnityVolume);
            Console.Write(error == Error.Invalid ? "audio_test: PASS bad values: master volume 300% refused: " : "audio_test: FAIL bad values: master volume 300%: ");
            Console.WriteLine(Errors.Describe(error));
        }

        private static void Expect(string what, Endpoint service, uint rate, uint channels, uint format)
        {
            Error error = AudioStream.Open(service, rate, channels, format, out AudioStream stream);
            if (error == Error.None)
                stream.Close();
            Console.Write(error == Error.Invalid ? "audio_test: PASS bad values: " : "audio_test: FAIL bad values: ");
            Console.Write(what);
            Console.Write(" refused: ");
            Console.WriteLine(Errors.Describe(error));
        }

        // A 30 s stream the host ends by killing the driver or the service: the stream must end with an error.
        private static void LongStream(Endpoint service, int number)
        {
            Error error = AudioStream.Open(service, 48000, 2, AudioSampleFormat.Signed16, out AudioStream stream);
            if (error != Error.None)
            {
                Fail("long stream: open", error);
                return;
            }
            Console.Write("audio_test: long stream ");
            Console.Write(number);
            Console.WriteLine(" started");
            double phase = 0;
            error = WriteSine(ref stream, 48000 * 30, ref phase);
            stream.Close();
            Console.Write(error != Error.None ? "audio_test: PASS long stream " : "audio_test: FAIL long stream ");
            Console.Write(number);
            Console.Write(" ended: ");
            Console.WriteLine(Errors.Describe(error));
            Pause();
        }

        private static ProcessHandle Start(string command)
        {
            Handle* handles = stackalloc Handle[2];
            handles[0] = s_names;
            handles[1] = Process.ConsoleHandle;
            Error error = Process.Spawn(command, handles, 2, out ProcessHandle child);
            if (error != Error.None)
                Fail("cannot start a child", error);
            return child;
        }

        private static int Hog()
        {
            Process.TryParseArgument(2, out ulong milliseconds);
            ulong until = MonotonicClock.Nanoseconds + milliseconds * 1_000_000;
            while (MonotonicClock.Nanoseconds < until)
            {
            }
            return 0;
        }

        // `audio_test ipc-load MS`: the IPC load test's programs (ipc_load's own: one ipc_echo server and four
        // ipc_load_client processes calling it, 250,000 calls each, the endpoint their one handle), started as ipc_load
        // starts them and again as each round ends, until MS have passed; then the ones still running are killed. Not
        // ipc_load itself: killing it mid-round left its five programs calling on through the rest of the boot.
        private static int IpcLoad()
        {
            const int Clients = 4;
            Process.TryParseArgument(2, out ulong milliseconds);
            ulong until = MonotonicClock.Nanoseconds + milliseconds * 1_000_000;
            if (Notification.Create(out Notification ended) != Error.None)
                return 1;
            ProcessHandle* programs = stackalloc ProcessHandle[Clients + 1];
            Handle* grants = stackalloc Handle[1];
            while (MonotonicClock.Nanoseconds < until)
            {
                if (Endpoint.Create(out Endpoint endpoint) != Error.None)
                    return 1;
                grants[0] = endpoint.Handle;
                int started = 0;
                ulong clientBits = 0;
                for (; started <= Clients; started++)
                {
                    if (Process.Spawn(started == 0 ? "ipc_echo" : "ipc_load_client", grants, 1, out programs[started]) != Error.None)
                        break;
                    if (started > 0)
                    {
                        programs[started].Watch(ended, 1UL << started);
                        clientBits |= 1UL << started;
                    }
                }
                // Until every client has made its calls (a round's end), or the time is up.
                ulong seen = 0;
                while (started > Clients && (seen & clientBits) != clientBits && ended.WaitUntil(until, out ulong bits) == Error.None)
                    seen |= bits;
                for (int i = 0; i < started; i++)
                {
                    programs[i].Kill();   // the server always (it serves for ever), a client only if the time ran out
                    programs[i].Wait(out _);
                    programs[i].Close();
                }
                endpoint.Handle.Close();
                if (started <= Clients)
                    return 1;   // a program did not start
            }
            ended.Close();
            return 0;
        }

        // Starts 'prefix' followed by 'number' in decimal (no string is built: the runtime has no collector).
        private static ProcessHandle Start(string prefix, ulong number)
        {
            byte* line = stackalloc byte[prefix.Length + 20];
            int length = 0;
            for (; length < prefix.Length; length++)
                line[length] = (byte)prefix[length];
            byte* digits = stackalloc byte[20];
            int count = 0;
            do
            {
                digits[count++] = (byte)('0' + number % 10);
                number /= 10;
            } while (number != 0);
            while (count > 0)
                line[length++] = digits[--count];
            Handle* handles = stackalloc Handle[2];
            handles[0] = s_names;
            handles[1] = Process.ConsoleHandle;
            if (Process.Spawn(line, length, handles, 2, out ProcessHandle child) != Error.None)
                Fail("cannot start a child", Error.Invalid);
            return child;
        }

        private static void Pause() => Sleep(GapNanoseconds);

        private static void Sleep(ulong nanoseconds)
        {
            Notification.Create(out Notification pause);
            pause.WaitUntil(MonotonicClock.Nanoseconds + nanoseconds, out _);
            pause.Close();
        }

        private static int Fail(string what, Error error)
        {
            Console.Write("audio_test: FAIL ");
            Console.Write(what);
            Console.Write(": ");
            Console.WriteLine(Errors.Describe(error));
            return 1;
        }
    }
}
