using Exo.Std;

namespace DeviceManager
{
    /// <summary>
    /// A supervisor's restarts of the programs it watches: at most <see cref="Maximum"/>, each reported as "devices:
    /// restarting WHAT[N] (restart i of 3)AFTER", and their end as "devices: gave up on SUBJECT[N] after 3 restarts", N being
    /// the device's number (left out when negative). The boot tests wait for these lines.
    /// </summary>
    internal struct RestartBudget
    {
        public const int Maximum = 3;
        private int _used;

        /// <summary>Counts one restart and reports it; false, with the end reported, when none is left.</summary>
        public bool Take(string what, int number, string after, string subject)
        {
            if (_used == Maximum)
            {
                Console.Write("devices: gave up on ");
                Console.Write(subject);
                WriteNumber(number);
                Console.Write(" after ");
                Console.Write(Maximum);
                Console.WriteLine(" restarts");
                return false;
            }
            _used++;
            Console.Write("devices: restarting ");
            Console.Write(what);
            WriteNumber(number);
            Console.Write(" (restart ");
            Console.Write(_used);
            Console.Write(" of ");
            Console.Write(Maximum);
            Console.Write(")");
            Console.WriteLine(after);
            return true;
        }

        private static void WriteNumber(int number)
        {
            if (number >= 0)
                Console.Write(number);
        }
    }
}
