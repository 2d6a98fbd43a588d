using Exo.Abi;
using Exo.Std;
using Exo.Std.Handles;
using Exo.Std.Ipc;
using Exo.Std.Memory;
using Exo.Std.Services;
using Exo.Protocols.Audio;

namespace AudioTest
{
    /// <summary>
    /// `audio_test capture` (CaptureBootTests, a task beside the console's script): exo_std's AudioCapture. Bad values are
    /// refused (44.1 kHz, 3 channels: capture is 48 kHz, 1 or 2 channels); a mono capture reads 1 s of frames in about
    /// 1 s of guest time; then it stops reading for 1 s, which its ring (298 ms) cannot hold: the service counts the frames
    /// given up (about 1 s less that), and reading resumes. "audio_test: capture ..." lines, PASS or FAIL.
    /// </summary>
    internal static unsafe class CaptureCheck
    {
        private const int Rate = (int)AudioStreamLayout.CaptureRate;
        private const int MonoCapacityFrames = AudioStreamLayout.CaptureCapacityBytes / 2;

        public static int Run(Endpoint service)
        {
            Refused(service, AudioServiceOperation.OpenCapture, 44100, 2, "rate 44100");
            Refused(service, AudioServiceOperation.OpenCapture, Rate, 3, "3 channels");
            Error error = AudioCapture.Open(service, 1, out AudioCapture capture);
            if (error != Error.None)
                return Report("FAIL open", error);
            byte* samples = (byte*)UserHeap.Allocate((nuint)(Rate * 2));
            ulong start = MonotonicClock.Nanoseconds;
            error = samples == null ? Error.OutOfMemory : capture.Read(samples, Rate * 2);
            ulong milliseconds = (MonotonicClock.Nanoseconds - start) / 1_000_000;
            if (error != Error.None)
                return Close(ref capture, samples, "FAIL read 1 s", error);
            int nonzero = 0;
            for (int i = 0; i < Rate; i++)
                nonzero += ((short*)samples)[i] != 0 ? 1 : 0;
            Console.Write(milliseconds >= 900 && milliseconds <= 1100 ? "audio_test: capture PASS " : "audio_test: capture FAIL ");
            Console.Write(Rate);
            Console.Write(" mono frames in ");
            Console.Write(milliseconds);
            Console.Write(" ms, ");
            Console.Write(nonzero);
            Console.WriteLine(" nonzero");

            // A reader that stops for 1 s: about 1 s less the ring's capacity (298 ms) is given up, counted once.
            ulong before = capture.OverrunFrames;
            Notification.Create(out Notification pause);
            pause.WaitUntil(MonotonicClock.Nanoseconds + 1_000_000_000, out _);
            pause.Close();
            error = capture.Read(samples, Rate);
            ulong lost = capture.OverrunFrames - before;
            const int expected = Rate - MonoCapacityFrames;
            if (error != Error.None)
                return Close(ref capture, samples, "FAIL read after the pause", error);
            Console.Write(before == 0 && lost >= expected * 8 / 10 && lost <= expected * 12 / 10 ? "audio_test: capture PASS " : "audio_test: capture FAIL ");
            Console.Write("overrun after 1 s unread: ");
            Console.Write(lost);
            Console.Write(" frames lost (before ");
            Console.Write(before);
            Console.WriteLine(")");
            return Close(ref capture, samples, "done", Error.None);
        }

        private static void Refused(Endpoint service, ulong operation, uint rate, uint channels, string what)
        {
            var message = new Message(operation, rate, channels, AudioSampleFormat.Signed16);
            Notification.Create(out Notification signalled);
            signalled.Duplicate(Rights.Signal | Rights.Grant, out Notification forService);
            message.Handle = forService.Handle;
            message.MoveHandle = true;
            Error error = service.Call(ref message);
            if (error == Error.None)
                error = SystemCall.ErrorOf((long)message.Word0);
            if (message.Handle.IsValid && error == Error.None)
                message.Handle.Close();
            signalled.Close();
            Console.Write(error == Error.Invalid ? "audio_test: capture PASS " : "audio_test: capture FAIL ");
            Console.Write(what);
            Console.Write(" refused: ");
            Console.WriteLine(Errors.Describe(error));
        }

        private static int Close(ref AudioCapture capture, byte* samples, string what, Error error)
        {
            capture.Close();
            if (samples != null)
                UserHeap.Free(samples);
            return Report(what, error);
        }

        private static int Report(string what, Error error)
        {
            Console.Write("audio_test: capture ");
            Console.Write(what);
            if (error != Error.None)
            {
                Console.Write(": ");
                Console.Write(Errors.Describe(error));
            }
            Console.WriteLine();
            return error == Error.None ? 0 : 1;
        }
    }
}
