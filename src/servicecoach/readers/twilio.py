from servicecoach.readers.connect import ConnectReader
class R(ConnectReader):
    name = 'twilio'
    def sniff(self, s, h): return False
READER = R()
