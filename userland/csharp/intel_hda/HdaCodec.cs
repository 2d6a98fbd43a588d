namespace IntelHda
{
    /// <summary>
    /// One codec on the link, through the controller's verbs (HD Audio specification section 7): finds its audio function
    /// group, walks the widget graph from an output pin back to a DAC (and from an ADC to an input pin), selecting the
    /// connections and unmuting the amplifiers on the way, and sets a converter's stream tag and format.
    /// </summary>
    internal unsafe struct HdaCodec
    {
        // Verbs with 12-bit identifiers (8-bit payload) and with 4-bit identifiers (16-bit payload).
        private const uint GetParameter = 0xF00, GetConnectionEntry = 0xF02, SetConnectionSelect = 0x701, SetPowerState = 0x705,
            SetStreamChannel = 0x706, SetPinControl = 0x707, SetEapd = 0x70C, GetConfigurationDefault = 0xF1C;
        private const uint SetFormat = 0x2, SetAmplifier = 0x3;
        // Parameters.
        private const uint NodeCount = 0x04, FunctionGroupType = 0x05, WidgetCapabilities = 0x09, PinCapabilities = 0x0C,
            InputAmplifierCapabilities = 0x0D, ConnectionListLength = 0x0E, OutputAmplifierCapabilities = 0x12;
        private const uint AudioFunctionGroup = 1;
        public const uint OutputConverter = 0, InputConverter = 1, Mixer = 2, Selector = 3, PinComplex = 4;
        private const uint PinOutputCapable = 1 << 4, PinInputCapable = 1 << 5, PinEapdCapable = 1 << 16;
        private const uint PinOutputEnable = 0x40, PinInputEnable = 0x20;
        private const uint ConnectivityNone = 1;
        /// <summary>Paths longer than this (pin, mixers/selectors, converter) are not followed.</summary>
        private const int MaximumDepth = 5;
        private const int MaximumConnections = 32;

        private HdaController* _controller;
        public uint Address;
        public uint FirstWidget, WidgetCount;

        public HdaCodec(HdaController* controller, uint address)
        {
            _controller = controller;
            Address = address;
            FirstWidget = WidgetCount = 0;
        }

        /// <summary>Finds the audio function group and its widgets; false if the codec has none (a modem codec).</summary>
        public bool FindAudioFunction()
        {
            if (!Parameter(0, NodeCount, out uint groups))
                return false;
            uint first = groups >> 16 & 0xFF, count = groups & 0xFF;
            for (uint node = first; node < first + count; node++)
            {
                if (!Parameter(node, FunctionGroupType, out uint type) || (type & 0xFF) != AudioFunctionGroup)
                    continue;
                Send(node, SetPowerState, 0, out _);
                if (!Parameter(node, NodeCount, out uint widgets))
                    return false;
                FirstWidget = widgets >> 16 & 0xFF;
                WidgetCount = widgets & 0xFF;
                return WidgetCount > 0;
            }
            return false;
        }

        public uint WidgetType(uint node) => Parameter(node, WidgetCapabilities, out uint caps) ? caps >> 20 & 0xF : 0xF;

        /// <summary>
        /// An output path: the first connected output-capable pin that leads to a DAC. Sets the path up (connections
        /// selected, amplifiers at 0 dB and unmuted, the pin's output and EAPD on) and returns the DAC and the pin.
        /// </summary>
        public bool SetUpOutputPath(out uint converter, out uint pin)
        {
            converter = pin = 0;
            for (uint node = FirstWidget; node < FirstWidget + WidgetCount; node++)
            {
                if (WidgetType(node) != PinComplex || !Parameter(node, PinCapabilities, out uint pinCaps) || (pinCaps & PinOutputCapable) == 0)
                    continue;
                if (Send(node, GetConfigurationDefault, 0, out uint configuration) && (configuration >> 30) == ConnectivityNone)
                    continue;
                if (!FindConverter(node, OutputConverter, 0, out converter))
                    continue;
                pin = node;
                Send(node, SetPinControl, PinOutputEnable, out _);
                if ((pinCaps & PinEapdCapable) != 0)
                    Send(node, SetEapd, 2, out _);
                return true;
            }
            return false;
        }

        /// <summary>An input path: the first ADC whose connections lead to an input-capable pin (set up likewise).</summary>
        public bool SetUpInputPath(out uint converter, out uint pin)
        {
            converter = pin = 0;
            for (uint node = FirstWidget; node < FirstWidget + WidgetCount; node++)
            {
                if (WidgetType(node) != InputConverter || !FindInputPin(node, 0, out pin))
                    continue;
                converter = node;
                Send(pin, SetPinControl, PinInputEnable, out _);
                return true;
            }
            return false;
        }

        /// <summary>Tags converter 'node''s stream (channel 0 first) and sets its format.</summary>
        public void SetConverter(uint node, int tag, ushort format)
        {
            Send(node, SetPowerState, 0, out _);
            Send(node, SetStreamChannel, (uint)tag << 4, out _);
            SendLong(node, SetFormat, format, out _);
            Unmute(node);
        }

        // Depth-first from 'node' through its connection list to a widget of type 'wanted'; selects the way it went.
        private bool FindConverter(uint node, uint wanted, int depth, out uint converter)
        {
            converter = 0;
            if (depth >= MaximumDepth)
                return false;
            uint* connections = stackalloc uint[MaximumConnections];
            int count = Connections(node, connections);
            for (int i = 0; i < count; i++)
            {
                uint next = connections[i];
                uint type = WidgetType(next);
                bool found = type == wanted ? (converter = next) != 0
                    : (type == Mixer || type == Selector) && FindConverter(next, wanted, depth + 1, out converter);
                if (!found)
                    continue;
                if (count > 1)
                    Send(node, SetConnectionSelect, (uint)i, out _);
                Send(node, SetPowerState, 0, out _);
                Unmute(node);
                return true;
            }
            return false;
        }

        private bool FindInputPin(uint node, int depth, out uint pin)
        {
            pin = 0;
            if (depth >= MaximumDepth)
                return false;
            uint* connections = stackalloc uint[MaximumConnections];
            int count = Connections(node, connections);
            for (int i = 0; i < count; i++)
            {
                uint next = connections[i];
                uint type = WidgetType(next);
                bool found = type == PinComplex ? Parameter(next, PinCapabilities, out uint caps) && (caps & PinInputCapable) != 0 && (pin = next) != 0
                    : (type == Mixer || type == Selector) && FindInputPin(next, depth + 1, out pin);
                if (!found)
                    continue;
                if (count > 1)
                    Send(node, SetConnectionSelect, (uint)i, out _);
                Unmute(node);
                return true;
            }
            return false;
        }

        // The connection list (short form: four 8-bit entries per response; long form: two 16-bit). Ranges are not expanded.
        private int Connections(uint node, uint* connections)
        {
            if (!Parameter(node, ConnectionListLength, out uint length))
                return 0;
            bool longForm = (length & 0x80) != 0;
            int count = (int)(length & 0x7F);
            if (count > MaximumConnections)
                count = MaximumConnections;
            int perResponse = longForm ? 2 : 4;
            for (int i = 0; i < count; i += perResponse)
            {
                if (!Send(node, GetConnectionEntry, (uint)i, out uint entries))
                    return i;
                for (int j = 0; j < perResponse && i + j < count; j++)
                    connections[i + j] = longForm ? entries >> (16 * j) & 0x7FFF : entries >> (8 * j) & 0x7F;
            }
            return count;
        }

        // Output and input amplifiers (where present) at 0 dB (their offset step), both channels, unmuted.
        private void Unmute(uint node)
        {
            if (Parameter(node, OutputAmplifierCapabilities, out uint output) && output != 0)
                SendLong(node, SetAmplifier, 0xB000 | (output & 0x7F), out _);
            if (Parameter(node, InputAmplifierCapabilities, out uint input) && input != 0)
                SendLong(node, SetAmplifier, 0x7000 | (input & 0x7F), out _);
        }

        private bool Parameter(uint node, uint parameter, out uint value) => Send(node, GetParameter, parameter, out value);

        private bool Send(uint node, uint verb, uint payload, out uint response)
            => _controller->Command(Address << 28 | node << 20 | verb << 8 | (payload & 0xFF), out response);

        private bool SendLong(uint node, uint verb, uint payload, out uint response)
            => _controller->Command(Address << 28 | node << 20 | verb << 16 | (payload & 0xFFFF), out response);
    }
}
